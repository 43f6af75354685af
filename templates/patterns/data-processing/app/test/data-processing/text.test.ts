import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/data-processing/records.js';
import { decodeText } from '../../src/data-processing/text.js';

async function decode(chunks: Buffer[] | Readable): Promise<string> {
  let text = '';
  for await (const chunk of decodeText(Array.isArray(chunks) ? Readable.from(chunks) : chunks) as AsyncIterable<string>) text += chunk;
  return text;
}

/** Splits bytes into chunks of `size`, as a download may cut them: inside a mark, inside a character. */
const chunked = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('decodeText', () => {
  const text = 'orderId,sku\r\no-1,Café ☕\r\n';

  it.each([1, 2, 5, 1024])('reads UTF-8 without a byte order mark or with one it leaves out (chunks of %i bytes)', async (size) => {
    expect(await decode(chunked(Buffer.from(text), size))).toBe(text);
    expect(await decode(chunked(Buffer.from(`\uFEFF${text}`), size))).toBe(text);
  });

  it('reads UTF-16 marked as such, as Excel saves "Unicode text"', async () => {
    const littleEndian = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(await decode(chunked(littleEndian, 3))).toBe(text);
    const bigEndian = Buffer.from(littleEndian).swap16();
    expect(await decode([bigEndian])).toBe(text);
  });

  it('fails a payload that is not UTF-8 as unreadable instead of turning its characters into U+FFFD', async () => {
    const windows1252 = Buffer.from(text, 'latin1');
    await expect(decode([windows1252])).rejects.toBeInstanceOf(InvalidInputError);
    await expect(decode([windows1252])).rejects.toThrow('not UTF-8 text');
  });

  it('reads an empty payload and one shorter than a byte order mark', async () => {
    expect(await decode([])).toBe('');
    expect(await decode([Buffer.from('a')])).toBe('a');
  });

  it('reads a source that is already flowing (it has a data listener) from its first chunk', async () => {
    const source = Readable.from([Buffer.from('orderId\n'), Buffer.from('o-1\n')]).on('data', () => undefined);
    expect(await decode(source)).toBe('orderId\no-1\n');
  });
});
