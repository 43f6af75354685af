/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or line break, and a semicolon, which
 * spreadsheets in many locales split on. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) get a
 * leading apostrophe (OWASP CSV injection).
 */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map((column) => csvField(column)), ...rows.map((row) => columns.map((column) => csvField(row[column])))];
  return lines.map((fields) => fields.join(',')).join('\r\n') + '\r\n';
}

function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Only text is guarded: a negative number is data, not a formula.
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
