import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRecords } from '../../src/data-processing/parse.js';
import { InvalidInputError } from '../../src/data-processing/records.js';
import { encodeRecords, MALFORMED_PAYLOAD } from './support/encode.js';

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
      { recordNumber: 1, value: { orderId: 'o-1', sku: 'Chair, oak "classic"' } },
      { recordNumber: 2, value: { orderId: 'o-2', sku: 'Desk' } },
    ]);
  });

  it('keeps a short row so validation can name the missing fields', async () => {
    expect(await collect('orderId,sku\no-1\n')).toEqual([{ recordNumber: 1, value: { orderId: 'o-1' } }]);
  });

  it('reads records split across chunks', async () => {
    const chunks = ['orderId,s', 'ku\no-', '1,Desk\n'].map((chunk) => Buffer.from(chunk));
    const records = [];
    for await (const record of parseRecords(Readable.from(chunks))) records.push(record);
    expect(records).toEqual([{ recordNumber: 1, value: { orderId: 'o-1', sku: 'Desk' } }]);
  });

  it('turns a row with a misplaced quote into one rejected record with the reason, and reads on', async () => {
    const text = 'orderId,sku\no-1,Desk\no-2,Chair "oak"\no-3,"Lamp"x,"a"\no-4,Shelf\n';
    expect(await collect(text)).toEqual([
      { recordNumber: 1, value: { orderId: 'o-1', sku: 'Desk' } },
      { recordNumber: 2, raw: 'o-2,Chair "oak"', error: expect.stringMatching(/^not valid CSV: Invalid Opening Quote: .* at line 3/) },
      { recordNumber: 3, raw: 'o-3,"Lamp"x,"', error: expect.stringMatching(/^not valid CSV: Invalid Closing Quote: got "x" at line 4/) },
      { recordNumber: 4, value: { orderId: 'o-4', sku: 'Shelf' } },
    ]);
  });

  it('fails the input as unreadable, not worth a retry, when it ends inside a quoted field or its header is malformed', async () => {
    const cases = [
      [MALFORMED_PAYLOAD, /^not valid CSV: Quote Not Closed/],
      ['orderId,s"ku\no-1,Desk\n', /^not valid CSV: the header row: Invalid Opening Quote/],
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
