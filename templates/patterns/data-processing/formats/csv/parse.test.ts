import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRecords } from '../../src/data-processing/parse.js';
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

  it('fails the whole input when the file is not CSV at all', async () => {
    await expect(collect(MALFORMED_PAYLOAD)).rejects.toThrow(/quote/i);
  });
});
