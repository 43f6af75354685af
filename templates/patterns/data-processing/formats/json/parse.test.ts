import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRecords } from '../../src/data-processing/parse.js';
import { InvalidInputError, MAX_RECORD_LENGTH } from '../../src/data-processing/records.js';
import { encodeRecords, MALFORMED_PAYLOAD } from './support/encode.js';

async function collect(chunks: string[]) {
  const records = [];
  for await (const record of parseRecords(Readable.from(chunks.map((chunk) => Buffer.from(chunk))))) records.push(record);
  return records;
}

describe('parse stage (JSON array)', () => {
  it('yields one numbered record per array element', async () => {
    const text = encodeRecords([{ orderId: 'o-1', sku: 'a]b},"c' }, { orderId: 'o-2', sku: 'Desk' }]);
    expect(await collect([text])).toEqual([
      { recordNumber: 1, value: { orderId: 'o-1', sku: 'a]b},"c' } },
      { recordNumber: 2, value: { orderId: 'o-2', sku: 'Desk' } },
    ]);
  });

  it('reads nested values, escapes and multi-byte characters split across chunks', async () => {
    const text = '[{"orderId":"o-1","tags":["x",{"y":[1,2]}],"note":"quote \\" and é"}]';
    const bytes = Buffer.from(text);
    const split = text.indexOf('é') + 1; // inside the two bytes of "é"
    const records = [];
    for await (const record of parseRecords(Readable.from([bytes.subarray(0, split), bytes.subarray(split)]))) records.push(record);
    expect(records).toEqual([{ recordNumber: 1, value: { orderId: 'o-1', tags: ['x', { y: [1, 2] }], note: 'quote " and é' } }]);
  });

  it('accepts an empty array', async () => {
    expect(await collect(['  [ ]  '])).toEqual([]);
  });

  it('yields no records for an empty payload (no bytes, a byte order mark alone or only whitespace), as CSV and NDJSON', async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect(['\uFEFF'])).toEqual([]);
    expect(await collect([' \r\n', '\t'])).toEqual([]);
  });

  it.each([
    { shape: 'a trailing comma', chunks: ['[1,]'], reason: 'a comma before its closing "]"', before: [1] },
    { shape: 'a trailing comma and whitespace, across chunks', chunks: ['[{"orderId":"o-1"},\n', '  ]'], reason: 'a comma before its closing "]"', before: [{ orderId: 'o-1' }] },
    { shape: 'a leading comma', chunks: ['[ ,{"orderId":"o-1"}]'], reason: 'a comma with no element before it', before: [] },
    { shape: 'two commas in a row', chunks: ['[{"orderId":"o-1"}, ,{"orderId":"o-2"}]'], reason: 'a comma with no element before it', before: [{ orderId: 'o-1' }] },
  ])('fails the input as unreadable at an empty element, never yields it as a record: $shape', async ({ chunks, reason, before }) => {
    const read: unknown[] = [];
    const reading = (async () => {
      for await (const record of parseRecords(Readable.from(chunks.map((chunk) => Buffer.from(chunk))))) read.push(record);
    })();
    await expect(reading).rejects.toThrow(new InvalidInputError(`the JSON array has ${reason}`));
    expect(read).toEqual(before.map((value, i) => ({ recordNumber: i + 1, value })));
  });

  it('turns an element that is not JSON into a rejected record with the reason', async () => {
    const [broken, valid] = await collect(['[{"orderId": oops}, {"orderId":"o-2"}]']);
    expect(broken).toMatchObject({ recordNumber: 1, raw: '{"orderId": oops}', error: expect.stringMatching(/^not valid JSON/) });
    expect(valid).toEqual({ recordNumber: 2, value: { orderId: 'o-2' } });
  });

  it('rejects an element longer than the record limit without holding it whole, and reads on after it', async () => {
    const chunk = '{"orderId":"o-x"},'.repeat(4_000);
    const chunks = ['[[', ...Array.from({ length: Math.ceil(MAX_RECORD_LENGTH / chunk.length) * 3 }, () => chunk), '{}], {"orderId":"o-2"}]'];
    const [long, next] = await collect(chunks);
    expect(long).toMatchObject({ recordNumber: 1, error: expect.stringContaining(`longer than ${MAX_RECORD_LENGTH} characters`) });
    expect((long as { raw: string }).raw).toHaveLength(MAX_RECORD_LENGTH);
    expect(next).toEqual({ recordNumber: 2, value: { orderId: 'o-2' } });
  });

  it('fails the input as unreadable, not worth a retry, when it is not an array or is cut short', async () => {
    await expect(collect([MALFORMED_PAYLOAD])).rejects.toThrow('must be an array');
    await expect(collect([MALFORMED_PAYLOAD])).rejects.toBeInstanceOf(InvalidInputError);
    await expect(collect(['[{"orderId":"o-1"}'])).rejects.toThrow('ended before');
  });
});
