import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it, vi } from 'vitest';
import { DATA_CONFIG } from '../../src/data-processing/config.js';
import { dataEnvironment } from '../../src/data-processing/dependencies.js';
import { Enricher, referenceDataSchema } from '../../src/data-processing/enrich.js';
import { processInput } from '../../src/data-processing/pipeline.js';
import { quarantinedRecord, quarantinePartitionKey, TableQuarantine } from '../../src/data-processing/quarantine.js';
import { StatusConflictError, statusRowKey, TableStatusStore, type InputStatus } from '../../src/data-processing/status.js';
import { STORAGE_REQUEST_TIMEOUT_MS, tableClient } from '../../src/shared/storage-clients.js';
import { encodeRecords } from './support/encode.js';
import { memoryDependencies, memoryInput, silentLog } from './support/fakes.js';
import { CUSTOMERS, MIXED_ORDERS } from './support/orders.js';
import { withHangingEndpoint } from '../support/hanging-endpoint.js';
import { tableLosingResponses } from '../support/lost-write-responses.js';

const settings = () => ({ AzureWebJobsStorage: inject('azuriteConnectionString') });
const uniqueTable = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;

describe('status and quarantine tables (Azurite)', () => {
  it('creates its table and stores a status row per input under a key that tolerates any input id', async () => {
    const table = tableClient(uniqueTable('status'), 'AzureWebJobsStorage', settings());
    const store = new TableStatusStore(table);
    const status: InputStatus = {
      source: 'blob',
      inputId: 'incoming/2026/01/orders #1?.csv',
      version: '"0x1"',
      state: 'received',
      attempts: 1,
      records: 0,
      valid: 0,
      quarantined: 0,
      persisted: 0,
      receivedAt: '2026-01-15T10:00:00.000Z',
    };

    expect(await store.get('blob', status.inputId)).toBeUndefined();
    const etag = await store.save(status, undefined);
    await store.save({ ...status, state: 'processed', records: 10, processedAt: '2026-01-15T10:00:05.000Z' }, etag);
    expect(await store.get('blob', status.inputId)).toMatchObject({ state: 'processed', records: 10, inputId: status.inputId });
    expect(statusRowKey(status.inputId)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes a status row only if no other execution wrote it since it was read', async () => {
    const store = new TableStatusStore(tableClient(uniqueTable('status'), 'AzureWebJobsStorage', settings()));
    const status: InputStatus = { source: 'queue', inputId: 'm-1', version: 'm-1', state: 'received', attempts: 1, records: 0, valid: 0, quarantined: 0, persisted: 0, receivedAt: '2026-01-15T10:00:00.000Z' };

    const first = await store.save(status, undefined);
    await expect(store.save(status, undefined)).rejects.toBeInstanceOf(StatusConflictError);
    const second = await store.save({ ...status, attempts: 2 }, first);
    await expect(store.save({ ...status, state: 'failed' }, first)).rejects.toBeInstanceOf(StatusConflictError);
    expect(await store.get('queue', 'm-1')).toMatchObject({ state: 'received', attempts: 2, etag: second });
  });

  it('keeps a status write whose response was lost, which the SDK resent and the table refused, instead of taking it for another execution', async () => {
    const { table, losing } = tableLosingResponses(inject('azuriteConnectionString'));
    const store = new TableStatusStore(table);
    const status: InputStatus = { source: 'blob', inputId: 'incoming/orders.csv', version: '"0x1"', state: 'received', attempts: 1, records: 0, valid: 0, quarantined: 0, persisted: 0, receivedAt: '2026-01-15T10:00:00.000Z' };
    // Creates the table first, so the lost response is the save's.
    expect(await store.get('blob', status.inputId)).toBeUndefined();

    losing.next = true;
    const created = await store.save(status, undefined);
    losing.next = true;
    const processed = await store.save({ ...status, state: 'processed', processedAt: '2026-01-15T10:00:05.000Z' }, created);

    expect(losing.next).toBe(false);
    expect(await store.get('blob', status.inputId)).toMatchObject({ state: 'processed', etag: processed });
    // Still conditional: a write from the version before, or one that finds the row already there, is another execution's.
    await expect(store.save({ ...status, state: 'failed' }, created)).rejects.toBeInstanceOf(StatusConflictError);
    await expect(store.save(status, undefined)).rejects.toBeInstanceOf(StatusConflictError);
    expect(await store.save({ ...status, state: 'archived' }, processed)).toEqual(expect.any(String));
  });

  it("fails an attempt whose status table gets no answer in bounded time, not at the host's function timeout", () =>
    withHangingEndpoint(async (endpoint) => {
      const { deps } = dataEnvironment({ AzureWebJobsStorage: endpoint.connectionString }, memoryDependencies().deps.destination);
      const { outcome } = await endpoint.holding(() => processInput(memoryInput(encodeRecords(MIXED_ORDERS)).input, deps, silentLog));
      vi.advanceTimersByTime(STORAGE_REQUEST_TIMEOUT_MS);
      // Rethrown, so the trigger delivers the input again.
      await expect(outcome).rejects.toThrow('Table storage did not answer');
    }));

  it('records a failure whose message is longer than a table property holds, cut, and still poisons the input at its last attempt', async () => {
    const { deps } = memoryDependencies();
    const status = new TableStatusStore(tableClient(uniqueTable('status'), 'AzureWebJobsStorage', settings()));
    // Reference data whose every customer lacks its region: the schema error lists each of them, far past 32K characters.
    const customers = Array.from({ length: 2_000 }, (_, i) => ({ customerId: `c-${i}`, name: `Customer ${i}` }));
    const enricher = new Enricher({ load: async () => referenceDataSchema.parse(customers) }, { attempts: 1, timeoutMs: 1_000, baseDelayMs: 0, ttlMs: 60_000 });
    const { input, moves } = memoryInput(encodeRecords(MIXED_ORDERS));

    for (let attempt = 1; attempt < DATA_CONFIG.maxAttempts; attempt++) {
      await expect(processInput(input, { ...deps, status, enricher }, silentLog)).rejects.toThrow('gave up after 1 attempts');
    }
    const outcome = await processInput(input, { ...deps, status, enricher }, silentLog);

    expect(outcome.outcome).toBe('poisoned');
    expect(moves).toEqual([expect.stringMatching(/^poison: gave up after 1 attempts/)]);
    const row = await status.get(input.source, input.inputId);
    expect(row).toMatchObject({ state: 'failed', attempts: DATA_CONFIG.maxAttempts, poisonedAt: expect.any(String), error: expect.stringMatching(/^gave up after 1 attempts.*… \(cut\)$/s) });
  });

  it('creates its table and upserts quarantined records in transactions, one row per record, idempotently', async () => {
    const table = tableClient(uniqueTable('quarantine'), 'AzureWebJobsStorage', settings());
    const quarantine = new TableQuarantine(table, 100);

    for (let run = 0; run < 2; run++) {
      const writer = quarantine.open('incoming/orders.csv', '"0x1"');
      for (let i = 1; i <= 150; i++) await writer.add(quarantinedRecord('incoming/orders.csv', i, `quantity: bad ${i}`, { orderId: `o-${i}` }));
      expect(await writer.flush()).toBe(150);
    }

    const rows = [];
    for await (const row of table.listEntities<{ reason: string; record: string }>()) rows.push(row);
    expect(rows).toHaveLength(150);
    expect(rows[0]).toMatchObject({ rowKey: '0000000001', reason: 'quantity: bad 1', record: '{"orderId":"o-1"}', version: '"0x1"' });
  });

  it('splits a batch of long records into transactions that fit the 4 MiB a transaction can carry', async () => {
    const table = tableClient(uniqueTable('quarantine'), 'AzureWebJobsStorage', settings());
    const writer = new TableQuarantine(table, 100).open('incoming/orders.json', '"0x1"');
    // Records in Japanese, each kept up to the cut: three bytes a character, about 48 KB a row, 4.8 MB for 100 of them.
    for (let i = 1; i <= 100; i++) await writer.add(quarantinedRecord('incoming/orders.json', i, 'customerId: no customer', `{"note":"${'注文'.repeat(10_000)}"}`));

    expect(await writer.flush()).toBe(100);
    let rows = 0;
    for await (const _row of table.listEntities()) rows++;
    expect(rows).toBe(100);
  });

  it('keeps the rows of each version of an input apart, so a new upload shows none of the old rows', async () => {
    const table = tableClient(uniqueTable('quarantine'), 'AzureWebJobsStorage', settings());
    const quarantine = new TableQuarantine(table, 100);
    const quarantineVersion = async (version: string, recordNumbers: number[]) => {
      const writer = quarantine.open('incoming/orders.csv', version);
      for (const recordNumber of recordNumbers) await writer.add(quarantinedRecord('incoming/orders.csv', recordNumber, 'quantity: bad', {}));
      await writer.flush();
    };
    await quarantineVersion('"0x1"', [2, 4, 5]);
    await quarantineVersion('"0x2"', [3]);

    const rowsOf = async (version: string) => {
      const rows = [];
      const filter = `PartitionKey eq '${quarantinePartitionKey('incoming/orders.csv', version)}'`;
      for await (const row of table.listEntities<{ recordNumber: number }>({ queryOptions: { filter } })) rows.push(row.recordNumber);
      return rows;
    };
    expect(await rowsOf('"0x2"')).toEqual([3]);
    expect(await rowsOf('"0x1"')).toEqual([2, 4, 5]);
    expect(quarantinePartitionKey('incoming/orders.csv', '"0x2"').startsWith(statusRowKey('incoming/orders.csv'))).toBe(true);
  });

  it('keeps only the rejections of the attempt that completed when an input runs again after a failed attempt', async () => {
    const quarantineTable = tableClient(uniqueTable('quarantine'), 'AzureWebJobsStorage', settings());
    const tables = {
      status: new TableStatusStore(tableClient(uniqueTable('status'), 'AzureWebJobsStorage', settings())),
      quarantine: new TableQuarantine(quarantineTable),
    };
    const payload = encodeRecords(MIXED_ORDERS);
    // The first attempt's reference data lacks Northwind, so record 3 is rejected too; then its records fail to persist.
    const withoutNorthwind = memoryDependencies(CUSTOMERS.filter((customer) => customer.customerId !== 'c-2')).deps;
    const failing = { open: () => ({ write: async () => undefined, close: async () => Promise.reject(new Error('destination unavailable')), persisted: () => 0 }) };
    const firstAttempt = { ...withoutNorthwind, ...tables, destination: failing };
    await expect(processInput(memoryInput(payload).input, firstAttempt, silentLog)).rejects.toThrow('destination unavailable');

    const result = await processInput(memoryInput(payload).input, { ...memoryDependencies().deps, ...tables }, silentLog);

    expect(result.status).toMatchObject({ state: 'archived', attempts: 2, quarantined: 3, persisted: 3 });
    const rows = [];
    const filter = `PartitionKey eq '${quarantinePartitionKey(result.status.inputId, result.status.version)}'`;
    for await (const row of quarantineTable.listEntities<{ recordNumber: number }>({ queryOptions: { filter } })) rows.push(row.recordNumber);
    expect(rows).toEqual([2, 4, 5]);
  });

  it('cuts an oversized record and says so', () => {
    expect(quarantinedRecord('x', 1, 'too big', 'a'.repeat(20_000)).record).toMatch(/… \(cut\)$/);
  });
});
