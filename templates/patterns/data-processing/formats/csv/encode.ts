import { Readable } from 'node:stream';

export const FORMAT_EXTENSION = 'csv';
export const CONTENT_TYPE = 'text/csv';

type Row = Readonly<Record<string, string | number>>;

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function* csvLines(records: Iterable<Row>): Generator<string> {
  let header: string[] | undefined;
  for (const record of records) {
    if (!header) {
      header = Object.keys(record);
      yield `${header.map(csvField).join(',')}\n`;
    }
    yield `${header.map((field) => csvField(record[field] ?? '')).join(',')}\n`;
  }
}

/** Test fixtures in this app's input format: a header from the first record's fields, one line each. */
export function encodeRecords(records: Iterable<Row>): string {
  return [...csvLines(records)].join('');
}

/** The same, produced lazily: generates inputs far larger than memory. */
export function encodeRecordStream(records: Iterable<Row>): Readable {
  return Readable.from(csvLines(records), { objectMode: false });
}

/** A payload the parser itself must reject, not just the schema. */
export const MALFORMED_PAYLOAD = 'orderId,customerId\n"unterminated,c-1\n';
