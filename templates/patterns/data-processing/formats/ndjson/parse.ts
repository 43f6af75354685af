import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ParsedRecord } from './records.js';

/**
 * Parse stage for newline-delimited JSON: one line at a time, so memory holds one record whatever the file
 * size. A line that is not JSON becomes a quarantined record, not a failed file.
 */
export async function* parseRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let recordNumber = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    recordNumber++;
    try {
      yield { recordNumber, value: JSON.parse(line) as unknown };
    } catch (error) {
      yield { recordNumber, error: `not valid JSON: ${(error as Error).message}`, raw: line };
    }
  }
}
