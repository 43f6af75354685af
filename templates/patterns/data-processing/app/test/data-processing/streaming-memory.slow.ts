import { describe, expect, it } from 'vitest';
import { processInput, type PipelineDependencies } from '../../src/data-processing/pipeline.js';
import { Enricher } from '../../src/data-processing/enrich.js';
import { noCustomTelemetry } from '../../src/shared/custom-telemetry.js';
import { encodeRecords, encodeRecordStream } from './support/encode.js';
import { memoryInput, silentLog } from './support/fakes.js';
import { CUSTOMERS, incomingOrder } from './support/orders.js';

const TARGET_BYTES = 100 * 1024 * 1024;
/**
 * Live heap growth allowed while streaming 100 MB: batches, parser buffers and stream high-water marks.
 * Reading the file whole would need more than the file itself (100 MB of text, then the parsed records).
 */
const HEAP_BOUND_BYTES = 32 * 1024 * 1024;

/** Order lines, every 100th one invalid. */
function* orders(count: number, first = 0) {
  for (let i = first; i < first + count; i++) {
    yield incomingOrder({ orderId: `o-${i}`, customerId: `c-${i % 3}`, quantity: i % 100 === 99 ? 'many' : (i % 7) + 1 });
  }
}

/**
 * Stores that count instead of keeping what they receive, so only the pipeline's own memory is measured.
 * Every 100 records the destination yields to the event loop, as a real batch write would, and every
 * `sampleEvery` records it reports, so memory is sampled while the stream is in full flow.
 */
function countingDependencies(sampleEvery: number, sample: () => void): PipelineDependencies & { counts: { persisted: number; quarantined: number } } {
  const counts = { persisted: 0, quarantined: 0 };
  return {
    counts,
    status: { get: async () => undefined, save: async () => 'etag' },
    quarantine: { open: () => ({ add: async () => void counts.quarantined++, flush: async () => counts.quarantined }), clear: async () => undefined },
    enricher: new Enricher({ load: async () => CUSTOMERS }, { attempts: 1, timeoutMs: 1_000, baseDelayMs: 0, ttlMs: 60_000 }),
    telemetry: noCustomTelemetry,
    destination: {
      open: () => ({
        write: async () => {
          counts.persisted++;
          if (counts.persisted % sampleEvery === 0) sample();
          if (counts.persisted % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        },
        close: async () => counts.persisted,
        persisted: () => counts.persisted,
      }),
    },
  };
}

describe('streaming a 100 MB input', () => {
  it('keeps memory flat: live memory growth stays under a fixed bound, independent of the file size', async () => {
    const gc = globalThis.gc;
    if (!gc) throw new Error('run with --expose-gc (npm run test:slow does): the check measures live memory');
    // Record size in this app's format, measured on the first (shortest) records: the count errs on the large side.
    const bytesPerRecord = Buffer.byteLength(encodeRecords(orders(1_000))) / 1_000;
    const count = Math.ceil(TARGET_BYTES / bytesPerRecord);
    let streamedBytes = 0;
    const { input } = memoryInput('', {
      open: async () => encodeRecordStream(orders(count)).on('data', (chunk: Buffer | string) => (streamedBytes += Buffer.byteLength(chunk))),
    });
    // Heap plus external memory: a file read into one Buffer would live outside the JS heap.
    const liveHeap = () => {
      gc();
      const { heapUsed, external } = process.memoryUsage();
      return heapUsed + external;
    };
    const baseline = liveHeap();
    let peak = baseline;
    let samples = 0;
    const deps = countingDependencies(50_000, () => {
      peak = Math.max(peak, liveHeap());
      samples++;
    });
    const started = Date.now();
    const result = await processInput(input, deps, silentLog);

    const growthMb = (peak - baseline) / 1024 / 1024;
    console.info(
      `streamed ${(streamedBytes / 1024 / 1024).toFixed(0)} MB, ${count} records in ${Date.now() - started} ms; ` +
        `peak live memory growth ${growthMb.toFixed(1)} MB over ${samples} samples (bound ${HEAP_BOUND_BYTES / 1024 / 1024} MB)`,
    );
    expect(streamedBytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    expect(result.status).toMatchObject({ records: count, quarantined: Math.floor(count / 100), persisted: count - Math.floor(count / 100) });
    expect(samples).toBeGreaterThanOrEqual(10);
    expect(peak - baseline).toBeLessThan(HEAP_BOUND_BYTES);
  });
});
