import { Readable } from 'node:stream';

export const FORMAT_EXTENSION = 'json';
export const CONTENT_TYPE = 'application/json';

type Row = Readonly<Record<string, string | number>>;

function* jsonArray(records: Iterable<Row>): Generator<string> {
  let first = true;
  yield '[';
  for (const record of records) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(record)}`;
    first = false;
  }
  yield '\n]\n';
}

/** Test fixtures in this app's input format: a JSON array of records. */
export function encodeRecords(records: Iterable<Row>): string {
  return [...jsonArray(records)].join('');
}

/** The same, produced lazily: generates inputs far larger than memory. */
export function encodeRecordStream(records: Iterable<Row>): Readable {
  return Readable.from(jsonArray(records), { objectMode: false });
}

/** A payload the parser itself must reject, not just the schema. */
export const MALFORMED_PAYLOAD = '{"orderId":"o-1"}';
