import type { Readable } from 'node:stream';
import { InvalidInputError, MAX_RECORD_LENGTH, RecordText, type ParsedRecord } from './records.js';
import { decodeText } from './text.js';

type State = 'start' | 'arrayStart' | 'beforeElement' | 'element' | 'end';

/**
 * Parse stage for a JSON array of records, streamed: the scanner tracks nesting and strings to find where
 * each top-level element ends and parses one element at a time, so memory holds one record, never the
 * whole array. An element that is not valid JSON becomes a rejected record, and so does one longer than
 * MAX_RECORD_LENGTH, of which only the start is kept while the scan goes on; a payload that is not an array
 * at all, has an empty element (`[1,]`), or is cut short (a quote never closed swallows the rest of the file),
 * fails the input as an InvalidInputError. An empty payload (no bytes, or only whitespace) yields no records.
 */
export async function* parseRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  let state = 'start' as State;
  let depth = 0;
  let inString = false;
  let escaped = false;
  const element = new RecordText();
  let recordNumber = 0;

  const finishElement = (): ParsedRecord => {
    const { text, cut } = element.take();
    const raw = text.trim();
    recordNumber++;
    if (cut) return { recordNumber, error: `not valid JSON: an element longer than ${MAX_RECORD_LENGTH} characters (only its start is kept)`, raw };
    try {
      return { recordNumber, value: JSON.parse(raw) as unknown };
    } catch (error) {
      return { recordNumber, error: `not valid JSON: ${(error as Error).message}`, raw };
    }
  };

  for await (const text of decodeText(source) as AsyncIterable<string>) {
    let elementStart = state === 'element' ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (char === '\\') escaped = true;
          else if (char === '"') inString = false;
        } else if (char === '"') {
          inString = true;
        } else if (char === '{' || char === '[') {
          depth++;
        } else if ((char === '}' || char === ']') && depth > 0) {
          depth--;
        } else if (depth === 0 && (char === ',' || char === ']')) {
          element.append(text.slice(elementStart, i));
          yield finishElement();
          state = char === ',' ? 'beforeElement' : 'end';
        }
        continue;
      }
      if (char === ' ' || char === '\n' || char === '\r' || char === '\t') continue;
      if (state === 'start') {
        if (char !== '[') throw new InvalidInputError('a JSON input must be an array of records: expected "[" first');
        state = 'arrayStart';
      } else if (state === 'arrayStart' && char === ']') {
        state = 'end';
      } else if (state === 'end') {
        throw new InvalidInputError('unexpected content after the closing "]" of the JSON array');
      } else if (char === ',' || char === ']') {
        // "[,", ",," or ",]": an empty element holds no record (JSON has none), so it is the array that is malformed.
        throw new InvalidInputError(char === ']' ? 'the JSON array has a comma before its closing "]"' : 'the JSON array has a comma with no element before it');
      } else {
        // The first character of an element (after "[" or ","): scan it again in the element state.
        state = 'element';
        depth = 0;
        elementStart = i;
        i--;
      }
    }
    if (state === 'element') element.append(text.slice(elementStart));
  }
  // Nothing but whitespace: no records, as in an empty CSV or NDJSON input, so the input completes instead of going to poison.
  if (state === 'start') return;
  if (state !== 'end') throw new InvalidInputError('the JSON array ended before its closing "]"');
}
