import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { ParsedRecord } from './records.js';

/**
 * Parse stage for CSV with a header row: csv-parse streams, so a file of any size is read one record at a
 * time. Rows with missing fields still come through; the validate stage names what is missing.
 */
export async function* parseRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  const parser = source.pipe(parse({ columns: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }));
  let recordNumber = 0;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    yield { recordNumber: ++recordNumber, value: row };
  }
}
