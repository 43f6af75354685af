import { pipeline, Transform, type Readable } from 'node:stream';
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
 * JSON; a file csv-parse cannot read on from (a bad header, a quote never closed, text after a closing quote that
 * runs the rows after it into one field) fails as an InvalidInputError.
 */
export async function* parseRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  // csv-parse reports a malformed row only up to where it went wrong, then reads past the rest of it unseen: the
  // whole row is cut from the text it was given, from where the row starts to where the next one does.
  const text = new ReadText();
  // The last skipped row, held until csv-parse reports the next row or record: one row can be reported twice.
  let pending: PendingRow | undefined;
  // Skipped rows go out through the parser, in file order with its records: they are handed on as the file is read,
  // and fill the parser's buffer as records do, so a file of malformed rows streams instead of piling up in memory.
  const handOn = (nextRowStart: number | undefined) => {
    if (pending) parser.push({ skipped: true, error: pending.error, raw: wholeRow(text, pending, nextRowStart) });
    pending = undefined;
  };
  // The header's names. csv-parse builds a record by assigning each field to a plain object, where a column named
  // `__proto__` would set its prototype instead: it is given the columns' positions, and the names go on here.
  let names: string[] = [];
  const parser: Parser = parse({
    columns: (header: string[]) => (names = uniqueColumns(header)).map((_, position) => String(position)),
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
        const start = text.findRow(rowText(raw));
        handOn(start);
        pending = { error: `not valid CSV: ${error.message}`, code: error.code, lineBreaksAtError: lineBreaks(rowText(raw)), raw, start };
      }
      return undefined;
    },
    // Called just before a record is emitted: a row skipped before it goes first.
    on_record: (row: ParsedRow) => {
      handOn(text.findRow(rowText(row.raw)));
      // Object.fromEntries defines each field as a property of its own, `__proto__` included.
      return { ...row, record: Object.fromEntries(Object.entries(row.record).map(([position, field]) => [names[Number(position)], field])) };
    },
  });
  // Every chunk is kept as it goes into the parser, before the parser reads it; one chunk at a time, so the text
  // held runs ahead of the parser by no more than that.
  const keep = new Transform({
    objectMode: true,
    highWaterMark: 1,
    transform(chunk: string, _encoding, callback) {
      text.append(chunk);
      callback(null, chunk);
    },
  });
  // Not pipe(): a failing source (a dropped download) must fail the parser, not leave it waiting.
  pipeline(decodeText(source), keep, parser, () => undefined);

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
  if (pending) yield { recordNumber: ++recordNumber, error: pending.error, raw: wholeRow(text, pending, text.end) };
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

/** A skipped row until the next row shows where it ends: its text up to the error, and where it starts in `ReadText`. */
interface PendingRow {
  error: string;
  /** csv-parse's code for the error, and the line breaks the row's text held up to it. */
  code: string;
  lineBreaksAtError: number;
  raw: string;
  start: number | undefined;
}

/**
 * The skipped row's whole text, or its text up to the error when where it starts or ends was not found. After text
 * that follows a closing quote ("Lamp"x), csv-parse reads on as if that quote had opened a field, up to the next
 * quote: a line break it read past is a row of the file, valid or not, that would be quarantined as part of this one.
 */
function wholeRow(text: ReadText, row: PendingRow, nextRowStart: number | undefined): string {
  const start = rowText(row.raw);
  const whole = row.start === undefined || nextRowStart === undefined ? '' : text.slice(row.start, nextRowStart).replace(/[\r\n]\s*$/, '');
  const kept = whole.startsWith(start) ? whole : start;
  if (row.code === 'CSV_INVALID_CLOSING_QUOTE' && lineBreaks(kept) > row.lineBreaksAtError) {
    throw new InvalidInputError(`${row.error}; the rows after it were read as part of a quoted field, so the file cannot be read on: correct the quote`);
  }
  return kept;
}

function lineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/**
 * The text given to the parser, from the last row found in it on: rows are found in file order, and the text before
 * the last one is let go (a skipped row is the last one found until the next row shows where it ends). Held up to
 * HELD_CHARACTERS, so that a run of blank lines cannot pile up.
 */
class ReadText {
  private text = '';
  /** Where `text` starts in the input, in characters. */
  private offset = 0;
  private lastRowStart = 0;
  /** Where the last row found ends: the next one starts after it. */
  private searchFrom = 0;

  get end(): number {
    return this.offset + this.text.length;
  }

  append(chunk: string): void {
    this.text += chunk;
    this.letGo(Math.max(this.lastRowStart, this.end - HELD_CHARACTERS));
  }

  /** Where the row that begins with `start` begins: at the start of a line, after the last row found. */
  findRow(start: string): number | undefined {
    if (start === '') return undefined;
    let index = this.text.indexOf(start, this.searchFrom - this.offset);
    while (index > 0 && !'\r\n'.includes(this.text[index - 1]!)) index = this.text.indexOf(start, index + 1);
    if (index < 0) return undefined;
    this.lastRowStart = this.offset + index;
    this.searchFrom = this.lastRowStart + start.length;
    return this.lastRowStart;
  }

  slice(start: number, end: number): string {
    return this.text.slice(Math.max(start - this.offset, 0), end - this.offset);
  }

  /** Drops the text before `position` once there is enough of it: slicing at every row would copy the text each time. */
  private letGo(position: number): void {
    if (position - this.offset < LET_GO_CHARACTERS) return;
    this.text = this.text.slice(position - this.offset);
    this.offset = position;
  }
}

// A row is at most MAX_RECORD_LENGTH characters; the chunks between this text and the parser come on top.
const HELD_CHARACTERS = 4 * MAX_RECORD_LENGTH;
const LET_GO_CHARACTERS = 64 * 1024;

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
