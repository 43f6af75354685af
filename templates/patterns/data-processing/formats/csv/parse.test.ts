import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRecords } from '../../src/data-processing/parse.js';
import { processInput } from '../../src/data-processing/pipeline.js';
import { InvalidInputError } from '../../src/data-processing/records.js';
import { encodeRecords, MALFORMED_PAYLOAD } from './support/encode.js';
import { memoryDependencies, memoryInput, silentLog } from './support/fakes.js';

async function collect(text: string) {
  const records = [];
  for await (const record of parseRecords(Readable.from([Buffer.from(text)]))) records.push(record);
  return records;
}

describe('parse stage (CSV)', () => {
  it('reads a header row and yields one numbered record per line, quotes and commas included', async () => {
    const text = encodeRecords([
      { orderId: 'o-1', sku: 'Chair, oak "classic"' },
      { orderId: 'o-2', sku: 'Desk' },
    ]);
    expect(await collect(text)).toEqual([
      { recordNumber: 1, value: { orderId: 'o-1', sku: 'Chair, oak "classic"' }, raw: 'o-1,"Chair, oak ""classic"""' },
      { recordNumber: 2, value: { orderId: 'o-2', sku: 'Desk' }, raw: 'o-2,Desk' },
    ]);
  });

  // csv-parse builds each record by assignment to a plain object, where a `__proto__` column sets its prototype.
  it('keeps every column as a field of its own, whatever its name', async () => {
    const [record] = await collect('orderId,__proto__,constructor,hasOwnProperty\no-1,a,b,c\n');
    expect(record).toMatchObject({ recordNumber: 1, raw: 'o-1,a,b,c' });
    const value = (record as { value: object }).value;
    expect(Object.entries(value)).toEqual([['orderId', 'o-1'], ['__proto__', 'a'], ['constructor', 'b'], ['hasOwnProperty', 'c']]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('keeps a short row so validation can name the missing fields', async () => {
    expect(await collect('orderId,sku\no-1\n')).toEqual([{ recordNumber: 1, value: { orderId: 'o-1' }, raw: 'o-1' }]);
  });

  it('keeps each row as the file has it, so a rejected one is quarantined whole: fields past the header, spaces, line breaks in quotes', async () => {
    const text = 'orderId,sku,quantity\r\no-1,Widget, large,2\r\n\r\n o-2 ,"Desk\nwide",1\r\n';
    expect(await collect(text)).toEqual([
      // The unquoted comma shifts the fields: "2" is past the header and missing from the value.
      { recordNumber: 1, value: { orderId: 'o-1', sku: 'Widget', quantity: 'large' }, raw: 'o-1,Widget, large,2' },
      { recordNumber: 2, value: { orderId: 'o-2', sku: 'Desk\nwide', quantity: '1' }, raw: ' o-2 ,"Desk\nwide",1' },
    ]);
  });

  it('reads a file saved as UTF-16 with its byte order mark, and keeps each row as text', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('orderId,sku\r\no-1,Café\r\n', 'utf16le')]);
    const records = [];
    for await (const record of parseRecords(Readable.from([utf16]))) records.push(record);
    expect(records).toEqual([{ recordNumber: 1, value: { orderId: 'o-1', sku: 'Café' }, raw: 'o-1,Café' }]);
  });

  it('reads records split across chunks', async () => {
    const chunks = ['orderId,s', 'ku\no-', '1,Desk\n'].map((chunk) => Buffer.from(chunk));
    const records = [];
    for await (const record of parseRecords(Readable.from(chunks))) records.push(record);
    expect(records).toEqual([{ recordNumber: 1, value: { orderId: 'o-1', sku: 'Desk' }, raw: 'o-1,Desk' }]);
  });

  it('turns a row with a misplaced quote into one rejected record with the reason and the whole row, and reads on', async () => {
    const text = 'orderId,sku,quantity\no-1,Desk,1\no-2,Chair "oak",2\no-3,"Lamp"x,"a",3\r\n\r\no-4,Shelf,4\n';
    expect(await collect(text)).toEqual([
      { recordNumber: 1, value: { orderId: 'o-1', sku: 'Desk', quantity: '1' }, raw: 'o-1,Desk,1' },
      { recordNumber: 2, raw: 'o-2,Chair "oak",2', error: expect.stringMatching(/^not valid CSV: Invalid Opening Quote: .* at line 3/) },
      { recordNumber: 3, raw: 'o-3,"Lamp"x,"a",3', error: expect.stringMatching(/^not valid CSV: Invalid Closing Quote: got "x" at line 4/) },
      { recordNumber: 4, value: { orderId: 'o-4', sku: 'Shelf', quantity: '4' }, raw: 'o-4,Shelf,4' },
    ]);
  });

  it('fails the input when text after a closing quote makes csv-parse read the rows after it into one field', async () => {
    // csv-parse reads on from "Lamp"x as if the quote had opened a field, up to the next quote: o-2, a valid line,
    // would be quarantined as part of o-1 and never persisted. With that quote on the same row, only the row is rejected.
    const error = await collect('orderId,sku\no-1,"Lamp"x\no-2,Desk\no-3,"Chair"\no-4,Shelf\n').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/^not valid CSV: Invalid Closing Quote: got "x" at line 2.*; the rows after it were read as part of a quoted field/);
  });

  it('keeps malformed rows whole when they follow one another, end the file, or are cut across chunks', async () => {
    const rows = ['o-1,Monitor 27" wide,1,Ω', 'o-2,Desk 1" high,2', 'o-3,Shelf 3" deep,3,Ω'];
    const text = `orderId,sku,quantity,note\n${rows.join('\n')}`;
    for (const size of [text.length, 7, 1]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => Buffer.from(text.slice(i * size, (i + 1) * size)));
      const records = [];
      for await (const record of parseRecords(Readable.from(chunks))) records.push(record);
      expect(records.map((record) => record.raw), `chunks of ${size}`).toEqual(rows);
    }
  });

  it('keeps a malformed row whole far into a file, where the text read before it has been let go', async () => {
    // More text before the malformed row than is ever held back (64 K characters).
    const valid = Array.from({ length: 6_000 }, (_, i) => `o-${i},Desk,1`);
    const malformed = 'o-x,Monitor 27" wide,1';
    const text = `orderId,sku,quantity\n${[...valid, malformed, ...valid.slice(0, 10)].join('\n')}\n`;
    const chunks = Array.from({ length: Math.ceil(text.length / 1000) }, (_, i) => Buffer.from(text.slice(i * 1000, (i + 1) * 1000)));
    const skipped = [];
    for await (const record of parseRecords(Readable.from(chunks))) if ('error' in record) skipped.push([record.recordNumber, record.raw]);
    expect(skipped).toEqual([[6_001, malformed]]);
  });

  it('hands each malformed row on as it reads on, so a file of malformed rows streams instead of piling up in memory', async () => {
    // Rows with an inch mark in an unquoted field (27" wide): every one is malformed, none is a record.
    // Large enough that what the streams buffer (about 2,000 rows on Node 20, 6,000 on Node 22) is a small part of it.
    const chunks = 2000;
    const rowsPerChunk = 50;
    let readRows = 0;
    const file = Readable.from(
      (function* () {
        yield Buffer.from('orderId,sku\n');
        for (let chunk = 0; chunk < chunks; chunk++) {
          readRows += rowsPerChunk;
          yield Buffer.from(Array.from({ length: rowsPerChunk }, (_, i) => `o-${chunk}-${i},Monitor 27" wide\n`).join(''));
        }
      })(),
    );

    const rows = parseRecords(file);
    const first = await rows.next();
    await rows.return(undefined);

    expect(first.value).toEqual({ recordNumber: 1, raw: expect.stringMatching(/^o-0-0,Monitor 27"/), error: expect.stringMatching(/^not valid CSV: Invalid Opening Quote/) });
    // Only what the streams between the file and the parse stage buffer, not the file.
    expect(readRows).toBeLessThan((chunks * rowsPerChunk) / 4);
    // Malformed rows in a run, before a record and after the last one, keep their places.
    const numbered = (await collect('orderId,sku\no-1,A 1"\no-2,B 2"\no-3,Desk\no-4,C 3"\no-5,D 4"\n')).map((row) => [row.recordNumber, row.raw?.slice(0, 3), 'error' in row]);
    expect(numbered).toEqual([[1, 'o-1', true], [2, 'o-2', true], [3, 'o-3', false], [4, 'o-4', true], [5, 'o-5', true]]);
  });

  it('fails the input as unreadable, not worth a retry, when it ends inside a quoted field or its header is malformed or repeats a column', async () => {
    const cases = [
      [MALFORMED_PAYLOAD, /^not valid CSV: Quote Not Closed/],
      ['orderId,s"ku\no-1,Desk\n', /^not valid CSV: the header row: Invalid Opening Quote/],
      // Which of the two columns holds the quantity? Reading the last one would persist the other's values unnoticed.
      ['orderId,quantity,sku,quantity\no-1,1,Desk,100\n', /^not valid CSV: the header row names the column "quantity" twice/],
    ] as const;
    for (const [text, message] of cases) {
      const error = await collect(text).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('passes a failing source on as it is, so the input is retried', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    const reading = (async () => {
      for await (const _record of parseRecords(failing));
    })();
    await expect(reading).rejects.toThrow('connection reset');
    await expect(reading).rejects.not.toBeInstanceOf(InvalidInputError);
  });
});

describe('quarantine of CSV rows', () => {
  it('keeps a rejected row as its text, every field included, ready to correct and upload again under the header', async () => {
    const { deps, quarantined } = memoryDependencies();
    const header = 'orderId,customerId,sku,quantity,unitPrice,currency,orderedAt';
    const shifted = 'o-2,c-1,Widget, large,2,1.50,EUR,2026-03-01T10:00:00Z';
    await processInput(memoryInput(`${header}\n${shifted}\n`).input, deps, silentLog);
    expect(quarantined).toEqual([expect.objectContaining({ recordNumber: 1, record: shifted })]);
  });
});
