import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { describe, expect, inject, it } from 'vitest';
import { BlobDestination, outputBlobName } from '../../src/data-processing/persist.js';
import { blobServiceClient } from '../../src/shared/storage-clients.js';
import { enrichedOrder } from './support/orders.js';

describe('persist stage (NDJSON blobs, Azurite)', () => {
  const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };

  const newContainer = () => blobServiceClient('AzureWebJobsStorage', settings).getContainerClient(`out-${randomUUID()}`);
  const read = async (container: ContainerClient, inputId: string, version = '"0x1"') =>
    (await container.getBlockBlobClient(outputBlobName({ source: 'blob', inputId, version })).downloadToBuffer()).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string });

  it('creates its container, writes one blob per input in staged blocks and replaces it when the input is processed again', async () => {
    const container = newContainer();
    const records = Array.from({ length: 250 }, (_, i) => enrichedOrder({ id: `o-${i}` }));
    // Blocks of about 100 records.
    const destination = new BlobDestination(container, 100 * Buffer.byteLength(`${JSON.stringify(records[0])}\n`));

    for (let run = 0; run < 2; run++) {
      const sink = destination.open({ source: 'blob', inputId: 'incoming/orders.csv', version: '"0x1"' });
      for (const record of records) await sink.write(record);
      expect(await sink.close()).toBe(250);
    }

    const blob = container.getBlockBlobClient(outputBlobName({ source: 'blob', inputId: 'incoming/orders.csv', version: '"0x1"' }));
    const lines = (await blob.downloadToBuffer()).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(250);
    expect(JSON.parse(lines[1]!)).toMatchObject({ id: 'o-1', customerName: 'Contoso' });
    expect((await blob.getBlockList('committed')).committedBlocks).toHaveLength(3);
  });

  it('writes each version of an input to its own blob: a file uploaded again under its name keeps the earlier one\'s records', async () => {
    const container = newContainer();
    const destination = new BlobDestination(container);
    // Yesterday's and today's export, both uploaded as incoming/orders.csv.
    for (const [version, id] of [['"0x1"', 'yesterday'], ['"0x2"', 'today']] as const) {
      const sink = destination.open({ source: 'blob', inputId: 'incoming/orders.csv', version });
      await sink.write(enrichedOrder({ id }));
      await sink.close();
    }

    for (const [version, id] of [['"0x1"', 'yesterday'], ['"0x2"', 'today']] as const) {
      expect((await read(container, 'incoming/orders.csv', version)).map((record) => record.id)).toEqual([id]);
    }
    expect(outputBlobName({ source: 'blob', inputId: 'incoming/orders.csv', version: '"0x2"' })).toBe('blob/incoming/orders.csv.0x2.ndjson');
    // A message or an event is never changed: its id is its version, and its blob is named by it alone.
    expect(outputBlobName({ source: 'queue', inputId: 'm-1', version: 'm-1' })).toBe('queue/m-1.ndjson');
  });

  it('cuts blocks by size, not by record count: a blob holds at most 50,000 blocks, and a large input has millions of records', async () => {
    const container = newContainer();
    const sink = new BlobDestination(container).open({ source: 'blob', inputId: 'incoming/large.csv', version: '"0x1"' });
    for (let i = 0; i < 5_000; i++) await sink.write(enrichedOrder({ id: `o-${i}` }));
    expect(await sink.close()).toBe(5_000);

    const blob = container.getBlockBlobClient(outputBlobName({ source: 'blob', inputId: 'incoming/large.csv', version: '"0x1"' }));
    expect((await blob.getBlockList('committed')).committedBlocks).toHaveLength(1);
  });

  it('commits only its own records when two runs of one input write at once, never a mix of both', async () => {
    const container = newContainer();
    const destination = new BlobDestination(container, 1);
    const first = destination.open({ source: 'blob', inputId: 'incoming/orders.csv', version: '"0x1"' });
    const second = destination.open({ source: 'blob', inputId: 'incoming/orders.csv', version: '"0x1"' });
    for (let i = 0; i < 3; i++) await first.write(enrichedOrder({ id: `first-${i}` }));
    for (let i = 0; i < 5; i++) await second.write(enrichedOrder({ id: `second-${i}` }));

    await first.close();
    const ids = async () => (await read(container, 'incoming/orders.csv')).map((record) => record.id);
    expect(await ids()).toEqual(['first-0', 'first-1', 'first-2']);
    // The commit discarded the other run's staged blocks: that run fails, and is retried, rather than commit a mix.
    await expect(second.close()).rejects.toThrow();
    expect(await ids()).toEqual(['first-0', 'first-1', 'first-2']);
    // Staged but never committed, the failed run's records are in no blob.
    expect([first.persisted(), second.persisted()]).toEqual([3, 0]);
  });
});
