import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';
import { InvalidInputError, MAX_RECORD_LENGTH, type ParsedRecord } from './records.js';
import { decodeText } from './text.js';

/**
 * Errors csv-parse cannot read on after: it would drop the rest of the chunk (a record too large, text after
 * a closing quote), or the file ended inside a quoted field that swallowed every row after its quote.
 */
const UNRECOVERABLE: ReadonlySet<string> = new Set(['CSV_MAX_RECORD_SIZE', 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE', 'CSV_QUOTE_NOT_CLOSED']);

/**
 * Parse stage for CSV with a header row: csv-parse streams, so a file of any size is read one record at a
 * time. Rows with missing fields still come through; the validate stage names what is missing. A malformed
 * row (a stray or misplaced quote) becomes a rejected record and parsing goes on with the next one, as for
 * JSON; a file csv-parse cannot read on from (a bad header, a quote never closed) fails as an InvalidInputError.
 */
export async function* parseRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  // The last skipped row, held until csv-parse reports the next row or record: one row can be reported twice.
  let pending: SkippedRow | undefined;
  // Skipped rows go out through the parser, in file order with its records: they are handed on as the file is read,
  // and fill the parser's buffer as records do, so a file of malformed rows streams instead of piling up in memory.
  const handOn = () => {
    if (pending) parser.push(pending);
    pending = undefined;
  };
  const parser: Parser = parse({
    columns: uniqueColumns,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    raw: true,
    max_record_size: MAX_RECORD_LENGTH,
    // Throwing here ends the parse with the error instead of skipping the row.
    on_skip: (error, raw = '') => {
      if (!error) return undefined;
      if (parser.options.columns === true) throw new InvalidInputError(`not valid CSV: the header row: ${error.message}`);
      if (UNRECOVERABLE.has(error.code)) throw error;
      // One row can be reported twice (a misplaced quote, then the quote it opened): the later raw text extends the earlier.
      if (pending && raw.length > pending.raw.length && raw.startsWith(pending.raw)) pending.raw = raw;
      else {
        handOn();
        pending = { skipped: true, error: `not valid CSV: ${error.message}`, raw };
      }
      return undefined;
    },
    // Called just before a record is emitted: a row skipped before it goes first.
    on_record: (record: ParsedRow) => {
      handOn();
      return record;
    },
  });
  // Not pipe(): a failing source (a dropped download) must fail the parser, not leave it waiting.
  pipeline(decodeText(source), parser, () => undefined);

  let recordNumber = 0;
  try {
    for await (const row of parser as AsyncIterable<ParsedRow | SkippedRow>) {
      if ('skipped' in row) yield { recordNumber: ++recordNumber, error: row.error, raw: row.raw };
      else yield { recordNumber: ++recordNumber, value: row.record, raw: rowText(row.raw) };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new InvalidInputError(`not valid CSV: ${error.message}`, { cause: error });
    throw error;
  }
  if (pending) yield { recordNumber: ++recordNumber, error: pending.error, raw: pending.raw };
}

/** A record as csv-parse emits it with `raw`. */
interface ParsedRow {
  record: Record<string, string>;
  raw: string;
}

/** A row csv-parse skipped, with the reason. */
interface SkippedRow {
  skipped: true;
  error: string;
  raw: string;
}

/**
 * The header row as the column names, each only once: with a name twice, csv-parse would give each row the value
 * of the last such column and drop the other's, though nothing says which of them holds the data. Empty names
 * (trailing commas) may repeat: no stage reads them.
 */
function uniqueColumns(header: string[]): string[] {
  const repeated = header.find((name, i) => name !== '' && header.indexOf(name) !== i);
  if (repeated !== undefined) throw new InvalidInputError(`not valid CSV: the header row names the column ${JSON.stringify(repeated)} twice`);
  return header;
}

/**
 * The row as the file has it, without the line breaks around it (csv-parse's raw text can hold the empty lines
 * skipped before it and part of its own line break). A row can neither start nor end with one: a field that does
 * is quoted.
 */
function rowText(raw: string): string {
  return raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
}
