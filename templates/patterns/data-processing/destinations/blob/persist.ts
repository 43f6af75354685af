import type { ContainerClient } from '@azure/storage-blob';
import { blobServiceClient, ensureContainer } from '../shared/storage-clients.js';
import { BatchWriter } from './batch-writer.js';
import { DATA_CONFIG } from './config.js';
import type { EnrichedOrderRecord } from './records.js';
import type { RecordDestination } from './sink.js';
import type { InputSource } from './status.js';

/** Output blob of one input: the same input always writes the same blob, so reprocessing replaces it. */
export function outputBlobName(source: InputSource, inputId: string): string {
  return `${source}/${inputId}.ndjson`;
}

/**
 * Persist stage: one NDJSON blob per input in the output container. Each batch is staged as a block and
 * the block list is committed at the end, so readers never see a half-written file and memory holds one batch.
 */
export class BlobDestination implements RecordDestination {
  constructor(
    private readonly container: ContainerClient,
    private readonly batchSize: number = DATA_CONFIG.batchSize,
  ) {}

  open(input: { source: InputSource; inputId: string }) {
    const blob = this.container.getBlockBlobClient(outputBlobName(input.source, input.inputId));
    const blockIds: string[] = [];
    const writer = new BatchWriter<EnrichedOrderRecord>(this.batchSize, async (records) => {
      // Block ids must all have the same length: a zero-padded counter, base64-encoded.
      const blockId = Buffer.from(String(blockIds.length).padStart(8, '0')).toString('base64');
      const body = records.map((record) => `${JSON.stringify(record)}\n`).join('');
      await ensureContainer(this.container);
      await blob.stageBlock(blockId, body, Buffer.byteLength(body));
      blockIds.push(blockId);
    });
    return {
      write: (record: EnrichedOrderRecord) => writer.add(record),
      close: async () => {
        const persisted = await writer.flush();
        await ensureContainer(this.container);
        await blob.commitBlockList(blockIds, { blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
        return persisted;
      },
    };
  }
}

export function createDestination(settings: Readonly<Record<string, string | undefined>> = process.env): RecordDestination {
  return new BlobDestination(blobServiceClient(DATA_CONFIG.storageConnection, settings).getContainerClient(DATA_CONFIG.outputContainer));
}
