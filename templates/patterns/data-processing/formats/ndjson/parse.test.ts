import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRecords } from '../../src/data-processing/parse.js';
import { MAX_RECORD_LENGTH } from '../../src/data-processing/records.js';
import { encodeRecords, MALFORMED_PAYLOAD } from './support/encode.js';

async function collect(chunks: string[]) {
  const records = [];
  for await (const record of parseRecords(Readable.from(chunks.map((chunk) => Buffer.from(chunk))))) records.push(record);
  return records;
}

describe('parse stage (NDJSON)', () => {
  it('yields one numbered record per line and skips blank lines', async () => {
    const text = encodeRecords([{ orderId: 'o-1' }, { orderId: 'o-2' }]);
    expect(await collect([`${text}\n\n`])).toEqual([
      { recordNumber: 1, value: { orderId: 'o-1' } },
      { recordNumber: 2, value: { orderId: 'o-2' } },
    ]);
  });

  it('reads a record split across chunks and CRLF line ends', async () => {
    expect(await collect(['{"orderId":', '"o-1"}\r\n{"orderId":"o-2"}'])).toEqual([
      { recordNumber: 1, value: { orderId: 'o-1' } },
      { recordNumber: 2, value: { orderId: 'o-2' } },
    ]);
  });

  it('skips a UTF-8 byte order mark before the first line, even one split across chunks', async () => {
    const bom = Buffer.from('\uFEFF');
    const records = [];
    for await (const record of parseRecords(Readable.from([bom.subarray(0, 1), Buffer.concat([bom.subarray(1), Buffer.from('{"orderId":"o-1"}\r\n')])]))) {
      records.push(record);
    }
    expect(records).toEqual([{ recordNumber: 1, value: { orderId: 'o-1' } }]);
  });

  it('rejects a line longer than the record limit without holding it whole, and reads on at the next line', async () => {
    const chunk = `[${'{"orderId":"o-x"},'.repeat(4_000)}`;
    const chunks = [...Array.from({ length: Math.ceil(MAX_RECORD_LENGTH / chunk.length) * 3 }, () => chunk), '{}]\n{"orderId":"o-2"}\n'];
    const [long, next] = await collect(chunks);
    expect(long).toMatchObject({ recordNumber: 1, error: expect.stringContaining(`longer than ${MAX_RECORD_LENGTH} characters`) });
    expect((long as { raw: string }).raw).toHaveLength(MAX_RECORD_LENGTH);
    expect(next).toEqual({ recordNumber: 2, value: { orderId: 'o-2' } });
  });

  it('turns a line that is not JSON into a rejected record with the reason', async () => {
    const [valid, broken] = await collect([MALFORMED_PAYLOAD]);
    expect(valid).toEqual({ recordNumber: 1, value: { orderId: 'o-1' } });
    expect(broken).toMatchObject({ recordNumber: 2, raw: '{"orderId": oops}', error: expect.stringMatching(/^not valid JSON/) });
  });
});
