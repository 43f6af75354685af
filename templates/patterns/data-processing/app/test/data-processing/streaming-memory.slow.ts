import { describe, expect, it } from 'vitest';
import { processInput, type PipelineDependencies } from '../../src/data-processing/pipeline.js';
import { Enricher } from '../../src/data-processing/enrich.js';
import { encodeRecordStream } from './support/encode.js';
import { memoryInput, silentLog } from './support/fakes.js';
import { CUSTOMERS, incomingOrder } from './support/orders.js';

const TARGET_BYTES = 100 * 1024 * 1024;
/** Heap growth allowed while streaming 100 MB; reading the file whole would need several times the file. */
const HEAP_BOUND_BYTES = 64 * 1024 * 1024;

/** Order lines, every 100th one invalid, until the encoded input reaches `bytes`. */
function* orders(count: number) {
  for (let i = 0; i < count; i++) {
    yield incomingOrder({ orderId: `o-${i}`, customerId: `c-${i % 3}`, quantity: i % 100 === 99 ? 'many' : (i % 7) + 1 });
  }
}

/** Stores that count instead of keeping what they receive: only the pipeline's own memory is measured. */
function countingDependencies(): PipelineDependencies & { counts: { persisted: number; quarantined: number } } {
  const counts = { persisted: 0, quarantined: 0 };
  return {
    counts,
    status: { get: async () => undefined, save: async () => undefined },
    quarantine: { open: () => ({ add: async () => void counts.quarantined++, flush: async () => counts.quarantined }) },
    enricher: new Enricher({ load: async () => CUSTOMERS }, { attempts: 1, timeoutMs: 1_000, baseDelayMs: 0, ttlMs: 60_000 }),
    destination: { open: () => ({ write: async () => void counts.persisted++, close: async () => counts.persisted }) },
  };
}

describe('streaming a 100 MB input', () => {
  it('keeps memory flat: heap growth stays under a fixed bound, independent of the file size', async () => {
    const bytesPerRecord = Buffer.byteLength(JSON.stringify(incomingOrder({ orderId: 'o-1000000' }))) * 0.8;
    const count = Math.ceil(TARGET_BYTES / bytesPerRecord);
    let streamedBytes = 0;
    const { input } = memoryInput('', {
      open: async () => encodeRecordStream(orders(count)).on('data', (chunk: Buffer | string) => (streamedBytes += Buffer.byteLength(chunk))),
    });
    const deps = countingDependencies();

    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 25);
    const started = Date.now();
    const result = await processInput(input, deps, silentLog).finally(() => clearInterval(sampler));
    peak = Math.max(peak, process.memoryUsage().heapUsed);

    const growthMb = (peak - baseline) / 1024 / 1024;
    console.info(
      `streamed ${(streamedBytes / 1024 / 1024).toFixed(0)} MB, ${count} records in ${Date.now() - started} ms; ` +
        `peak heap growth ${growthMb.toFixed(1)} MB (bound ${HEAP_BOUND_BYTES / 1024 / 1024} MB)`,
    );
    expect(streamedBytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    expect(result.status).toMatchObject({ records: count, quarantined: Math.floor(count / 100), persisted: count - Math.floor(count / 100) });
    expect(peak - baseline).toBeLessThan(HEAP_BOUND_BYTES);
  });
});
