import { BlobDestination, outputBlobName } from '../../../src/data-processing/persist.js';
import { blobServiceClient } from '../../../src/shared/storage-clients.js';
import { DATA_CONFIG } from '../../../src/data-processing/config.js';
import type { SinkInput } from '../../../src/data-processing/sink.js';

/** The real blob destination on Azurite (it creates its container), and a way to read back what it persisted for one input. */
export async function testDestination(settings: Record<string, string>) {
  const container = blobServiceClient(DATA_CONFIG.storageConnection, settings).getContainerClient(DATA_CONFIG.outputContainer);
  return {
    destination: new BlobDestination(container),
    async persisted(_ids: readonly string[], input: SinkInput): Promise<Record<string, unknown>[]> {
      const text = (await container.getBlockBlobClient(outputBlobName(input)).downloadToBuffer()).toString('utf8');
      return text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}
