// CSV as RFC 4180 describes it: CRLF between records, and a field in double quotes when it holds
// a comma, a quote, CR or LF, with its quotes doubled. A text field that a spreadsheet would run
// as a formula (it starts with =, +, -, @, tab or CR) gets a leading apostrophe, as OWASP advises
// for CSV injection: the returns are opened in spreadsheets, and their text comes from users.

export type CsvCell = string | number | null;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`a CSV cell must be a finite number, not ${value}`);
    return String(value);
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header record and one record per row, each ending in CRLF; every row as wide as the header. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows]
    .map((record, i) => {
      if (record.length !== header.length) throw new Error(`CSV row ${i} has ${record.length} fields; the header has ${header.length}`);
      return `${record.map(csvField).join(',')}\r\n`;
    })
    .join('');
}
