import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys, so key order does not change the bytes', () => {
    expect(canonicalJson({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
    expect(canonicalJson({ c: 3, a: 2, b: 1 })).toBe(canonicalJson({ a: 2, b: 1, c: 3 }));
  });

  it('sorts keys at every depth and writes no whitespace', () => {
    const one = { z: { y: [1, { b: true, a: null }], x: 'text' }, a: { d: 1, c: 2 } };
    const two = { a: { c: 2, d: 1 }, z: { x: 'text', y: [1, { a: null, b: true }] } };
    expect(canonicalJson(one)).toBe('{"a":{"c":2,"d":1},"z":{"x":"text","y":[1,{"a":null,"b":true}]}}');
    expect(canonicalJson(two)).toBe(canonicalJson(one));
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('drops undefined object members, as JSON.stringify does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ nested: { gone: undefined, kept: null } })).toBe('{"nested":{"kept":null}}');
  });

  it('writes undefined array items and top-level undefined as null', () => {
    expect(canonicalJson([1, undefined, 3])).toBe('[1,null,3]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('keeps null members, which differ from absent ones', () => {
    expect(canonicalJson({ a: null })).toBe('{"a":null}');
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });

  it('writes scalars as JSON does, escaping strings and keys', () => {
    expect(canonicalJson('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(canonicalJson({ 'a"b': 1 })).toBe('{"a\\"b":1}');
    expect(canonicalJson(0.5)).toBe('0.5');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('writes a Date as its ISO string', () => {
    expect(canonicalJson({ at: new Date('2026-06-12T09:00:00.000Z') })).toBe('{"at":"2026-06-12T09:00:00.000Z"}');
  });

  it.each([NaN, Infinity, -Infinity])('refuses the non-finite number %p', (n) => {
    expect(() => canonicalJson({ n })).toThrow(/non-finite/);
  });

  it('parses back to the same value as JSON.stringify, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('gives the same bytes whatever order the keys were inserted in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });

  it('is stable under a JSON round trip (what a database hands back hashes the same)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(JSON.parse(canonicalJson(value)))).toBe(canonicalJson(value));
      }),
    );
  });
});
