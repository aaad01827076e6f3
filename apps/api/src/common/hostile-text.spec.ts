import { hostileJson, MAX_JSON_DEPTH } from './hostile-text';

describe('hostileJson', () => {
  it('lets ordinary JSON through, including paired surrogates (emoji) and arrays', () => {
    expect(hostileJson({ description: 'Seen at 9:30 😀', people: [{ name: 'J. Canvasser' }], n: 1, ok: true, none: null })).toBeNull();
  });

  it('names the field holding a NUL or a lone surrogate, at any depth', () => {
    expect(hostileJson({ reporter: { name: 'a\u0000b' } })).toEqual({
      field: 'reporter.name',
      problem: 'must not contain NUL characters',
      code: 'validation.nul',
      values: {},
    });
    expect(hostileJson({ people: [{ name: 'x' }, { name: '\udc00' }] })).toEqual({
      field: 'people.1.name',
      problem: 'is not valid Unicode text (it holds a lone surrogate)',
      code: 'validation.lone_surrogate',
      values: {},
    });
    expect(hostileJson('\ud800')).toEqual({
      field: 'body',
      problem: 'is not valid Unicode text (it holds a lone surrogate)',
      code: 'validation.lone_surrogate',
      values: {},
    });
  });

  it('refuses keys that name Object.prototype members, and keys that are not text, with a printable name', () => {
    expect(hostileJson(JSON.parse('{"note":"n","__proto__":{"admin":true}}'))).toEqual({
      field: '__proto__',
      problem: 'is not a known field',
      code: 'validation.unknown_field',
      values: {},
    });
    expect(hostileJson({ location: { toString: 'x' } })).toEqual({
      field: 'location.toString',
      problem: 'is not a known field',
      code: 'validation.unknown_field',
      values: {},
    });
    expect(hostileJson({ 'a\u0000\r\n': 1 })).toEqual({
      field: 'a\ufffd\ufffd\ufffd',
      problem: 'is not a known field (its name must not contain NUL characters)',
      code: 'validation.key_nul',
      values: {},
    });
  });

  it('refuses nesting deeper than any DTO has', () => {
    const nest = (levels: number) => Array.from({ length: levels }).reduce<unknown>((inner) => [inner], 'x');
    expect(hostileJson(nest(MAX_JSON_DEPTH))).toBeNull();
    expect(hostileJson(nest(MAX_JSON_DEPTH + 1))?.problem).toMatch(/nested too deeply/);
  });
});
