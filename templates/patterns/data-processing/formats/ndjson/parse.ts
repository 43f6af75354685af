import type { Readable } from 'node:stream';
import { MAX_RECORD_LENGTH, RecordText, type ParsedRecord } from './records.js';
import { decodeText } from './text.js';

/**
 * Parse stage for newline-delimited JSON: one line at a time, so memory holds one record whatever the file
 * size. A line that is not JSON becomes a quarantined record, not a failed file; so does a line longer than
 * MAX_RECORD_LENGTH (say a whole JSON array on one line), of which only the start is kept. The lines are split
 * here rather than by node:readline, which holds a line whole however long it is.
 */
export async function* parseRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  const line = new RecordText();
  let recordNumber = 0;

  const finishLine = (): ParsedRecord | undefined => {
    const { text, cut } = line.take();
    const raw = text.replace(/\r$/, '');
    if (!cut && raw.trim() === '') return undefined;
    recordNumber++;
    if (cut) return { recordNumber, error: `not valid NDJSON: a line longer than ${MAX_RECORD_LENGTH} characters (only its start is kept)`, raw };
    try {
      return { recordNumber, value: JSON.parse(raw) as unknown };
    } catch (error) {
      return { recordNumber, error: `not valid JSON: ${(error as Error).message}`, raw };
    }
  };

  function* lines(text: string): Generator<ParsedRecord> {
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      line.append(text.slice(start, end));
      const record = finishLine();
      if (record) yield record;
      start = end + 1;
    }
    line.append(text.slice(start));
  }

  for await (const text of decodeText(source) as AsyncIterable<string>) yield* lines(text);
  const last = finishLine();
  if (last) yield last;
}
