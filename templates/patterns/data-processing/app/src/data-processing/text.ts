import { pipeline, Transform, type Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { InvalidInputError } from './records.js';

/** Byte order marks the decoder recognises; without one, text must be UTF-8. */
const BYTE_ORDER_MARKS = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
] as const;

/**
 * The payload's bytes as text, chunk by chunk: UTF-8, or UTF-16 when a byte order mark says so (Excel's
 * "Unicode text"), the mark itself left out. Bytes that are not valid in the encoding (say a file saved as
 * Windows-1252) fail the stream with an InvalidInputError instead of reaching the destination as U+FFFD.
 * A stream piped at once, not a generator that starts at the first read: a flowing source (one with a 'data'
 * listener) would emit its first chunks before anyone read them.
 */
export function decodeText(source: Readable): Readable {
  let decoder: TextDecoder | undefined;
  let head = Buffer.alloc(0);
  let offset = 0;
  const decode = (bytes: Buffer, stream: boolean) => {
    try {
      return decoder!.decode(bytes, { stream });
    } catch (error) {
      throw new InvalidInputError(`not ${decoder!.encoding.toUpperCase()} text (in the bytes from offset ${offset}): save the file as UTF-8`, { cause: error });
    } finally {
      offset += bytes.length;
    }
  };
  const text = new Transform({
    // Strings out, as they are: a byte stream would turn them back into Buffers.
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      try {
        let bytes = chunk;
        if (!decoder) {
          // A mark is up to three bytes: wait for them, however the source cuts its chunks.
          head = Buffer.concat([head, chunk]);
          if (head.length < 3) return callback();
          decoder = detectDecoder(head);
          bytes = head;
        }
        const decoded = decode(bytes, true);
        callback(null, decoded || undefined);
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        let last = Buffer.alloc(0);
        if (!decoder) {
          decoder = detectDecoder(head);
          last = head;
        }
        callback(null, decode(last, false) || undefined);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  // Not source.pipe(): a failing source (a dropped download) must fail the text stream, not leave it waiting.
  pipeline(source, text, () => undefined);
  return text;
}

/** A whole payload's bytes as text, read as decodeText reads a stream (a mark says the encoding and is left out). */
export function decodeBytes(bytes: Buffer): string {
  return detectDecoder(bytes).decode(bytes);
}

function detectDecoder(head: Buffer): TextDecoder {
  const mark = BYTE_ORDER_MARKS.find(({ bytes }) => bytes.every((byte, i) => head[i] === byte));
  return new TextDecoder(mark?.encoding ?? 'utf-8', { fatal: true });
}
