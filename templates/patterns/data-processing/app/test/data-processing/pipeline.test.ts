import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DATA_CONFIG } from '../../src/data-processing/config.js';
import { POISONED_EVENT, processInput } from '../../src/data-processing/pipeline.js';
import { InvalidInputError } from '../../src/data-processing/records.js';
import type { RecordDestination } from '../../src/data-processing/sink.js';
import { StatusConflictError } from '../../src/data-processing/status.js';
import { encodeRecords } from './support/encode.js';
import { recordingIngestion } from '../support/recording-ingestion.js';
import { memoryDependencies, memoryInput, silentLog } from './support/fakes.js';
import { incomingOrder, MIXED_ORDERS } from './support/orders.js';

describe('processInput', () => {
  it('persists valid records, quarantines the rest with reasons, archives and records every state', async () => {
    const { deps, history, quarantined, persisted } = memoryDependencies();
    const { input, moves } = memoryInput(encodeRecords(MIXED_ORDERS));

    const result = await processInput(input, deps, silentLog);

    expect(result.outcome).toBe('completed');
    expect([...persisted.keys()].sort()).toEqual(['o-1:SKU-1', 'o-3:SKU-1', 'o-6:SKU-1']);
    expect(persisted.get('o-3:SKU-1')).toMatchObject({ totalMinor: 10, customerName: 'Northwind' });
    expect(quarantined.map(({ recordNumber, reason }) => [recordNumber, reason.split(':')[0]])).toEqual([
      [2, 'quantity'],
      [4, 'currency'],
      [5, 'customerId'],
    ]);
    expect(moves).toEqual(['archive']);
    expect(history.map((status) => status.state)).toEqual(['received', 'validated', 'processed', 'archived']);
    expect(result.status).toMatchObject({ records: 6, valid: 3, quarantined: 3, persisted: 3, attempts: 1 });
    expect(result.status.archivedAt).toBeDefined();
  });

  it('persists every line of an order: two skus of one order are two records', async () => {
    const { deps, persisted } = memoryDependencies();
    const { input } = memoryInput(encodeRecords([incomingOrder({ sku: 'SKU-1' }), incomingOrder({ sku: 'SKU-2', quantity: 1, unitPrice: 5 })]));

    const result = await processInput(input, deps, silentLog);

    expect([...persisted.values()].map(({ sku, totalMinor }) => [sku, totalMinor])).toEqual([
      ['SKU-1', 2500],
      ['SKU-2', 500],
    ]);
    expect(result.status).toMatchObject({ records: 2, valid: 2, quarantined: 0, persisted: 2 });
  });

  it('quarantines a line that repeats the order and sku of an earlier one, so a record is persisted and counted once', async () => {
    const { deps, persisted, quarantined } = memoryDependencies();
    const lines = [incomingOrder({ sku: 'SKU-1' }), incomingOrder({ sku: 'SKU-2' }), incomingOrder({ sku: 'SKU-1', quantity: 5 })];

    const result = await processInput(memoryInput(encodeRecords(lines)).input, deps, silentLog);

    expect(persisted.size).toBe(2);
    expect(persisted.get('o-1:SKU-1')).toMatchObject({ quantity: 2 });
    expect(quarantined).toMatchObject([{ recordNumber: 3, reason: 'duplicate order line: record 1 has the same orderId and sku' }]);
    expect(result.status).toMatchObject({ records: 3, valid: 2, quarantined: 1, persisted: 2 });
  });

  it('skips an input it has already archived, and processes a new version of it', async () => {
    const { deps, persisted } = memoryDependencies();
    const payload = encodeRecords(MIXED_ORDERS);
    await processInput(memoryInput(payload).input, deps, silentLog);
    persisted.clear();

    const again = memoryInput(payload);
    expect((await processInput(again.input, deps, silentLog)).outcome).toBe('skipped');
    expect(again.moves).toEqual([]);
    expect(persisted.size).toBe(0);

    const updated = memoryInput(payload, { version: 'v2' });
    expect((await processInput(updated.input, deps, silentLog)).outcome).toBe('completed');
    expect(persisted.size).toBe(3);
  });

  it('finishes only the archive step when the records were already persisted', async () => {
    const { deps, statuses, persisted } = memoryDependencies();
    const first = memoryInput(encodeRecords(MIXED_ORDERS), { archive: async () => Promise.reject(new Error('archive unavailable')) });
    await expect(processInput(first.input, deps, silentLog)).rejects.toThrow('archive unavailable');
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ state: 'failed', attempts: 1, error: 'archive unavailable' });
    persisted.clear();

    const retry = memoryInput(encodeRecords(MIXED_ORDERS));
    const result = await processInput(retry.input, deps, silentLog);
    expect(result.status).toMatchObject({ state: 'archived', attempts: 2, persisted: 3 });
    expect(persisted.size).toBe(0);
    expect(retry.moves).toEqual(['archive']);
  });

  it('keeps the counts in the status row while a resumed run archives, so a run stopped after the move can be settled', async () => {
    const { deps, statuses } = memoryDependencies();
    const first = memoryInput(encodeRecords(MIXED_ORDERS), { archive: async () => Promise.reject(new Error('archive unavailable')) });
    await expect(processInput(first.input, deps, silentLog)).rejects.toThrow('archive unavailable');

    let rowWhileMoving: unknown;
    const retry = memoryInput(encodeRecords(MIXED_ORDERS), {
      archive: async () => {
        rowWhileMoving = statuses.get('blob|incoming/orders');
      },
    });
    await processInput(retry.input, deps, silentLog);

    expect(rowWhileMoving).toMatchObject({ state: 'processed', attempts: 2, records: 6, quarantined: 3, persisted: 3, processedAt: expect.any(String) });
  });

  it('rethrows for a retry, then moves the input to poison with the reason after the last attempt', async () => {
    const { deps, statuses } = memoryDependencies();
    const broken = () => memoryInput('', { open: async () => Promise.reject(new Error('blob not found')) });

    for (let attempt = 1; attempt < DATA_CONFIG.maxAttempts; attempt++) {
      await expect(processInput(broken().input, deps, silentLog)).rejects.toThrow('blob not found');
    }
    const last = broken();
    const result = await processInput(last.input, deps, silentLog);

    expect(result.outcome).toBe('poisoned');
    expect(last.moves).toEqual(['poison: blob not found']);
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ state: 'failed', attempts: DATA_CONFIG.maxAttempts, error: 'blob not found' });
    expect(result.status.poisonedAt).toBeDefined();
    expect((await processInput(broken().input, deps, silentLog)).outcome).toBe('skipped');
  });

  // The data-poison-backlog alert reads this event: unlike the log line, no sampling drops it.
  it('sends the custom event the poison alert counts, once, naming the input, its attempts and the reason', async () => {
    const { deps, ingestion } = memoryDependencies();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const unreadable = memoryInput('', { traceParent: `00-${traceId}-00f067aa0ba902b7-01`, open: async () => Promise.reject(new InvalidInputError('unreadable')) });

    await processInput(unreadable.input, deps, silentLog);

    expect(ingestion.events()).toEqual([{ name: POISONED_EVENT, properties: { source: 'blob', inputId: 'incoming/orders', attempts: '1', reason: 'unreadable' } }]);
    expect(ingestion.calls[0]!.body[0]!.tags['ai.operation.id']).toBe(traceId);
  });

  it('keeps the input poisoned when its custom event cannot be sent, and warns', async () => {
    const { deps, statuses } = memoryDependencies();
    const warnings: unknown[] = [];
    const unreadable = memoryInput('', { open: async () => Promise.reject(new InvalidInputError('unreadable')) });

    const result = await processInput(unreadable.input, { ...deps, telemetry: recordingIngestion(503, 'Service Unavailable').telemetry }, { ...silentLog, warn: (message) => warnings.push(message) });

    expect(result.outcome).toBe('poisoned');
    expect(statuses.get('blob|incoming/orders')?.poisonedAt).toBeDefined();
    expect(warnings).toEqual([`Custom telemetry not sent (${POISONED_EVENT}): Application Insights refused all of 1 items: HTTP 503 Service Unavailable`]);
  });

  it('records how many records reached the destination before each failure, so the poisoned status says what a replay rewrites', async () => {
    const { deps, statuses } = memoryDependencies();
    // Writes each record as it comes, as the table and Cosmos DB destinations write their batches, and fails at the
    // third; the last attempt finds the destination down from its first record.
    let attempt = 0;
    const destination: RecordDestination = {
      open: () => {
        const failAt = ++attempt < DATA_CONFIG.maxAttempts ? 2 : 0;
        let written = 0;
        return {
          write: async () => {
            if (written === failAt) throw new Error('destination refused the record');
            written++;
          },
          close: async () => written,
          persisted: () => written,
        };
      },
    };

    for (let run = 1; run < DATA_CONFIG.maxAttempts; run++) {
      await expect(processInput(memoryInput(encodeRecords(MIXED_ORDERS)).input, { ...deps, destination }, silentLog)).rejects.toThrow('destination refused');
      expect(statuses.get('blob|incoming/orders')).toMatchObject({ state: 'failed', attempts: run, persisted: 2 });
    }
    const result = await processInput(memoryInput(encodeRecords(MIXED_ORDERS)).input, { ...deps, destination }, silentLog);

    // The last attempt wrote none, but the earlier ones' records are still there: a replay of the input upserts them.
    expect(result).toMatchObject({ outcome: 'poisoned', status: { state: 'failed', persisted: 2, poisonedAt: expect.any(String) } });
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ persisted: 2, poisonedAt: expect.any(String) });
  });

  it.each([
    ['no bytes', ''],
    ['only whitespace', ' \r\n\t\n'],
  ])('completes an input of %s with no records, whatever the format: there is nothing to quarantine or retry', async (_, payload) => {
    const { deps, persisted } = memoryDependencies();
    const { input, moves } = memoryInput(payload);

    const result = await processInput(input, deps, silentLog);

    expect(result.outcome).toBe('completed');
    expect(moves).toEqual(['archive']);
    expect(result.status).toMatchObject({ state: 'archived', records: 0, quarantined: 0, persisted: 0 });
    expect(persisted.size).toBe(0);
  });

  it('poisons an input that cannot be read at all at the first attempt: retrying cannot fix it', async () => {
    const { deps, statuses } = memoryDependencies();
    const unreadable = memoryInput('', { open: async () => Promise.reject(new InvalidInputError('not valid CSV: Quote Not Closed')) });

    const result = await processInput(unreadable.input, deps, silentLog);

    expect(result.outcome).toBe('poisoned');
    expect(unreadable.moves).toEqual(['poison: not valid CSV: Quote Not Closed']);
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ state: 'failed', attempts: 1, poisonedAt: expect.any(String) });
  });

  it('poisons a file saved in another encoding than UTF-8 at once, before any of its records is persisted', async () => {
    const { deps, persisted } = memoryDependencies();
    const windows1252 = Buffer.from(encodeRecords([incomingOrder({ orderId: 'o-1', sku: 'Café' })]), 'latin1');
    const input = memoryInput('', { open: async () => Readable.from([windows1252]) });

    const result = await processInput(input.input, deps, silentLog);

    expect(result.outcome).toBe('poisoned');
    expect(input.moves).toEqual([expect.stringMatching(/^poison: not UTF-8 text/)]);
    expect(persisted.size).toBe(0);
  });

  it('records an input replaced by a new version before it could be moved as superseded, not archived or poisoned', async () => {
    const { deps, statuses, persisted } = memoryDependencies();
    const replaced = memoryInput(encodeRecords(MIXED_ORDERS), { archive: async () => 'superseded' });

    const result = await processInput(replaced.input, deps, silentLog);

    expect(result).toMatchObject({ outcome: 'superseded', status: { state: 'superseded', persisted: 3, supersededAt: expect.any(String) } });
    expect(result.status.archivedAt).toBeUndefined();
    expect(persisted.size).toBe(3);
    expect((await processInput(memoryInput(encodeRecords(MIXED_ORDERS)).input, deps, silentLog)).outcome).toBe('skipped');

    const failing = memoryInput('', { version: 'v2', open: async () => Promise.reject(new InvalidInputError('unreadable')), poison: async () => 'superseded' });
    expect((await processInput(failing.input, deps, silentLog)).outcome).toBe('superseded');
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ version: 'v2', state: 'superseded', error: 'unreadable' });
    expect(statuses.get('blob|incoming/orders')?.poisonedAt).toBeUndefined();
  });

  it('runs a duplicate delivery arriving during a run once: the other execution stops without moving the input or recording a failure', async () => {
    const { deps, statuses, persisted } = memoryDependencies();
    const payload = encodeRecords(MIXED_ORDERS);
    const first = memoryInput(payload);
    const duplicate = memoryInput(payload);

    const outcomes = await Promise.all([processInput(first.input, deps, silentLog), processInput(duplicate.input, deps, silentLog)]);

    expect(outcomes.map(({ outcome }) => outcome).sort()).toEqual(['completed', 'skipped']);
    expect([...first.moves, ...duplicate.moves]).toEqual(['archive']);
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ state: 'archived', persisted: 3 });
    expect(persisted.size).toBe(3);
  });

  it('leaves an input to a later execution that took it over while this one archived it, even at the last attempt', async () => {
    const { deps, statuses } = memoryDependencies();
    const failing = () => memoryInput('', { open: async () => Promise.reject(new Error('blob not found')) });
    for (let attempt = 1; attempt < DATA_CONFIG.maxAttempts; attempt++) {
      await expect(processInput(failing().input, deps, silentLog)).rejects.toThrow('blob not found');
    }
    const payload = encodeRecords(MIXED_ORDERS);
    const takeOver = memoryInput(payload);
    // The slow execution's archive step lets the other one in, and then fails: at its last attempt it used to poison.
    const slow = memoryInput(payload, {
      archive: async () => {
        await processInput(takeOver.input, deps, silentLog);
        throw new Error('archive unavailable');
      },
    });

    const result = await processInput(slow.input, deps, silentLog);

    expect(result.outcome).toBe('skipped');
    expect(slow.moves).toEqual([]);
    expect(takeOver.moves).toEqual(['archive']);
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ state: 'archived' });
    expect(statuses.get('blob|incoming/orders')?.error).toBeUndefined();
  });

  it('fails for a retry, rather than skip, when a run of another version of the input takes the status row over', async () => {
    const { deps, statuses } = memoryDependencies();
    const payload = encodeRecords(MIXED_ORDERS);
    const newer = memoryInput(payload, { version: 'v2' });
    const older = memoryInput(payload, {
      open: async () => {
        await processInput(newer.input, deps, silentLog);
        return Readable.from([Buffer.from(payload)]);
      },
    });

    await expect(processInput(older.input, deps, silentLog)).rejects.toBeInstanceOf(StatusConflictError);
    expect(older.moves).toEqual([]);
    expect(statuses.get('blob|incoming/orders')).toMatchObject({ version: 'v2', state: 'archived' });
  });
});
