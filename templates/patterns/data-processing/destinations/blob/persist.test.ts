import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { BlobDestination, outputBlobName } from '../../src/data-processing/persist.js';
import { blobServiceClient } from '../../src/shared/storage-clients.js';
import { enrichedOrder } from './support/orders.js';

describe('persist stage (NDJSON blobs, Azurite)', () => {
  const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };

  it('creates its container, writes one blob per input in staged batches and replaces it when the input is processed again', async () => {
    const container = blobServiceClient('AzureWebJobsStorage', settings).getContainerClient(`out-${randomUUID()}`);
    const destination = new BlobDestination(container, 100);
    const records = Array.from({ length: 250 }, (_, i) => enrichedOrder({ id: `o-${i}` }));

    for (let run = 0; run < 2; run++) {
      const sink = destination.open({ source: 'blob', inputId: 'incoming/orders.csv' });
      for (const record of records) await sink.write(record);
      expect(await sink.close()).toBe(250);
    }

    const blob = container.getBlockBlobClient(outputBlobName('blob', 'incoming/orders.csv'));
    const lines = (await blob.downloadToBuffer()).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(250);
    expect(JSON.parse(lines[1]!)).toMatchObject({ id: 'o-1', customerName: 'Contoso' });
    expect((await blob.getBlockList('committed')).committedBlocks).toHaveLength(3);
  });
});
