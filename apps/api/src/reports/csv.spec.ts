import { parse } from 'csv-parse/sync';
import { csvField, toCsv } from './csv';

describe('csvField', () => {
  it('leaves plain text and numbers as they are, and writes null as an empty field', () => {
    expect(csvField('northshire-police')).toBe('northshire-police');
    expect(csvField(42)).toBe('42');
    expect(csvField(0)).toBe('0');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('');
  });

  it('quotes a field holding a comma, a quote, CR or LF, and doubles its quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "no"')).toBe('"say ""no"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('"')).toBe('""""');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('refuses a number that is not finite', () => {
    expect(() => csvField(Number.NaN)).toThrow(/finite/);
    expect(() => csvField(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});

describe('toCsv', () => {
  it('writes a header and one CRLF-terminated record per row', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x', 1],
          [null, 'y,z'],
        ],
      ),
    ).toBe('a,b\r\nx,1\r\n,"y,z"\r\n');
  });

  it('writes only the header when there are no rows', () => {
    expect(toCsv(['authority_id', 'cases'], [])).toBe('authority_id,cases\r\n');
  });

  it('refuses a row that is not as wide as the header', () => {
    expect(() => toCsv(['a', 'b'], [['x']])).toThrow(/row 1 has 1 fields; the header has 2/);
  });

  it('round-trips awkward text through a standard CSV parser', () => {
    const rows = [
      ['Ward "A", north', 'line one\r\nline two', 'ünïcödé – £'],
      ['', 'plain', ' spaced '],
    ];
    const parsed = parse(toCsv(['one', 'two', 'three'], rows), { columns: true, relax_column_count: false });
    expect(parsed).toEqual(rows.map(([one, two, three]) => ({ one, two, three })));
  });
});
