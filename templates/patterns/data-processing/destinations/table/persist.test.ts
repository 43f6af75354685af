import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it, vi } from 'vitest';
import { TableDestination } from '../../src/data-processing/persist.js';
import { tableClient } from '../../src/shared/storage-clients.js';
import { enrichedOrder } from './support/orders.js';

describe('persist stage (Table storage, Azurite)', () => {
  const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };

  it('creates its table, upserts in batches across partitions and stays idempotent when the input is processed again', async () => {
    const table = tableClient(`records${randomUUID().replace(/-/g, '').slice(0, 12)}`, 'AzureWebJobsStorage', settings);
    const records = Array.from({ length: 250 }, (_, i) => enrichedOrder({ id: `o-${i}`, customerId: `c-${i % 3}` }));
    const destination = new TableDestination(table, 100);

    for (let run = 0; run < 2; run++) {
      const sink = destination.open();
      for (const record of records) await sink.write(record);
      expect(await sink.close()).toBe(250);
    }

    const rows = [];
    for await (const row of table.listEntities()) rows.push(row);
    expect(rows).toHaveLength(250);
    expect(await table.getEntity('c-1', 'o-1')).toMatchObject({ sku: 'SKU-1', totalMinor: 2500, customerName: 'Contoso' });
  });

  it('counts as persisted the rows of every transaction that went through before one failed: they stay in the table', async () => {
    const table = tableClient(`records${randomUUID().replace(/-/g, '').slice(0, 12)}`, 'AzureWebJobsStorage', settings);
    const records = Array.from({ length: 15 }, (_, i) => enrichedOrder({ id: `o-${i}`, customerId: `c-${i % 3}` }));
    const submit = table.submitTransaction.bind(table);
    let transactions = 0;
    // A transaction per customer and batch of 10: the first batch's three go through, then the second batch's c-1
    // rows (2 of them), and its c-2 transaction fails.
    vi.spyOn(table, 'submitTransaction').mockImplementation(async (actions) => {
      if (++transactions === 5) throw new Error('transaction refused');
      return submit(actions);
    });
    const sink = new TableDestination(table, 10).open();

    for (const record of records) await sink.write(record);
    await expect(sink.close()).rejects.toThrow('transaction refused');

    expect(sink.persisted()).toBe(12);
    let rows = 0;
    for await (const _ of table.listEntities()) rows++;
    expect(rows).toBe(12);
  });
});
