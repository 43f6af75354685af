import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { blobServiceClient, ensureContainer } from '../shared/storage-clients.js';
import { DATA_CONFIG } from './config.js';
import type { EnrichedOrderRecord } from './records.js';
import type { RecordDestination, SinkInput } from './sink.js';

/**
 * Output blob of one version of an input: a rerun of that version writes the same blob, so reprocessing replaces
 * it. A file uploaded again under its name (today's orders.csv after yesterday's) is a new version with a blob of
 * its own, its ETag after the name, so the earlier upload's records stay; a message or an event, whose version is
 * its id, is named by the id alone.
 */
export function outputBlobName({ source, inputId, version }: SinkInput): string {
  return version === inputId ? `${source}/${inputId}.ndjson` : `${source}/${inputId}.${version.replace(/[^A-Za-z0-9]/g, '')}.ndjson`;
}

/**
 * Bytes of NDJSON per staged block. A blob holds at most 50,000 blocks, so blocks cut by size (not by a count of
 * records) take ~190 GiB of output, far past any input the pipeline streams; memory holds one block.
 */
const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Persist stage: one NDJSON blob per version of an input in the output container. Records are staged as blocks
 * and the block list is committed at the end, so readers never see a half-written file. Block ids are unique to
 * a run: two runs of one version at once (a duplicate delivery) stage blocks of their own, and each commits only
 * what it wrote.
 */
export class BlobDestination implements RecordDestination {
  constructor(
    private readonly container: ContainerClient,
    private readonly blockBytes: number = BLOCK_BYTES,
  ) {}

  open(input: SinkInput) {
    const blob = this.container.getBlockBlobClient(outputBlobName(input));
    const run = randomUUID();
    const blockIds: string[] = [];
    let lines: string[] = [];
    let bytes = 0;
    let staged = 0;
    // Staged blocks are not part of the blob until the block list is committed: before that, no record is persisted.
    let committed = 0;
    const stage = async () => {
      if (lines.length === 0) return;
      const body = lines.join('');
      lines = [];
      bytes = 0;
      // Block ids must all have the same length: the run and a zero-padded counter, base64-encoded.
      const blockId = Buffer.from(`${run}-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
      await ensureContainer(this.container);
      await blob.stageBlock(blockId, body, Buffer.byteLength(body));
      blockIds.push(blockId);
    };
    return {
      write: async (record: EnrichedOrderRecord) => {
        const line = `${JSON.stringify(record)}\n`;
        lines.push(line);
        bytes += Buffer.byteLength(line);
        staged++;
        if (bytes >= this.blockBytes) await stage();
      },
      close: async () => {
        await stage();
        await ensureContainer(this.container);
        await blob.commitBlockList(blockIds, { blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
        committed = staged;
        return committed;
      },
      persisted: () => committed,
    };
  }
}

export function createDestination(settings: Readonly<Record<string, string | undefined>> = process.env): RecordDestination {
  return new BlobDestination(blobServiceClient(DATA_CONFIG.storageConnection, settings).getContainerClient(DATA_CONFIG.outputContainer));
}
