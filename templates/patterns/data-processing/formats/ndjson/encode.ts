import { Readable } from 'node:stream';

export const FORMAT_EXTENSION = 'ndjson';
export const CONTENT_TYPE = 'application/x-ndjson';

type Row = Readonly<Record<string, string | number>>;

function* ndjsonLines(records: Iterable<Row>): Generator<string> {
  for (const record of records) yield `${JSON.stringify(record)}\n`;
}

/** Test fixtures in this app's input format: one JSON object per line. */
export function encodeRecords(records: Iterable<Row>): string {
  return [...ndjsonLines(records)].join('');
}

/** The same, produced lazily: generates inputs far larger than memory. */
export function encodeRecordStream(records: Iterable<Row>): Readable {
  return Readable.from(ndjsonLines(records), { objectMode: false });
}

/** A payload whose second line the parser itself must reject, not just the schema. */
export const MALFORMED_PAYLOAD = '{"orderId":"o-1"}\n{"orderId": oops}\n';
