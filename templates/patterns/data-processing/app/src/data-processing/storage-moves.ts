import { Readable } from 'node:stream';
import type { BlobClient, ContainerClient } from '@azure/storage-blob';

// Blocks of 4 MiB, two in flight: a copy holds ~8 MiB whatever the blob's size.
const UPLOAD_BLOCK_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 2;

/**
 * Metadata values are HTTP header values: ASCII only, no line breaks, bounded size. The reason is
 * percent-encoded and cut so any error message fits.
 */
export function metadataValue(text: string): string {
  return encodeURIComponent(text.slice(0, 1_000));
}

/**
 * Moves a blob by streaming it into the target container and deleting the source. Streaming (not a
 * server-side copy) works with identity auth and keeps memory flat for large files.
 */
export async function moveBlob(source: BlobClient, target: ContainerClient, metadata: Record<string, string> = {}): Promise<void> {
  const download = await source.download();
  const body = Readable.from(download.readableStreamBody as AsyncIterable<Buffer>);
  await target.getBlockBlobClient(source.name).uploadStream(body, UPLOAD_BLOCK_BYTES, UPLOAD_CONCURRENCY, {
    metadata,
    blobHTTPHeaders: { blobContentType: download.contentType },
  });
  await source.deleteIfExists();
}

/** Stores a small payload (a queue message, an event) as a blob, e.g. in the archive. */
export async function storePayload(target: ContainerClient, name: string, payload: string, metadata: Record<string, string> = {}): Promise<void> {
  await target.getBlockBlobClient(name).upload(payload, Buffer.byteLength(payload), { metadata });
}

/**
 * Triggers hand over payloads as text, Buffer or (when the text is JSON) an already parsed value; the
 * parse stage wants the text back.
 */
export function payloadText(item: unknown): string {
  if (typeof item === 'string') return item;
  if (Buffer.isBuffer(item)) return item.toString('utf8');
  return JSON.stringify(item);
}
