import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { describe, expect, inject, it, vi } from 'vitest';
import {
  blobServiceClient,
  deleteEntities,
  downloadBody,
  ensureContainer,
  ensureTable,
  entityOrUndefined,
  queueServiceClient,
  storageConnection,
  STORAGE_REQUEST_TIMEOUT_MS,
  tableClient,
} from '../../src/shared/storage-clients.js';
import { withHangingEndpoint } from '../support/hanging-endpoint.js';
import { tableLosingResponses } from '../support/lost-write-responses.js';

describe('storageConnection', () => {
  it('prefers a connection string and expands UseDevelopmentStorage=true to Azurite', () => {
    const connection = storageConnection('Store', 'blob', { Store: 'UseDevelopmentStorage=true' });
    expect(connection).toMatchObject({ kind: 'connectionString' });
    expect(connection.kind === 'connectionString' && connection.connectionString).toContain('BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1');
  });

  it('falls back to the identity-based service URI of the requested service', () => {
    expect(storageConnection('Store', 'table', { Store__tableServiceUri: 'https://acct.table.core.windows.net' })).toEqual({
      kind: 'identity',
      serviceUri: 'https://acct.table.core.windows.net',
    });
  });

  // The host reads `<name>__serviceUri` as the endpoint of the one service its binding uses (blob or queue): taken
  // for every service, a table client would be sent to the blob endpoint.
  it('does not take a service-less __serviceUri for another service', () => {
    expect(() => storageConnection('Store', 'table', { Store__serviceUri: 'https://acct.blob.core.windows.net' })).toThrow('set Store or Store__tableServiceUri');
  });

  it('names both settings when neither is configured', () => {
    expect(() => storageConnection('Store', 'queue', {})).toThrow('set Store or Store__queueServiceUri');
  });
});

describe('storage clients against Azurite', () => {
  const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };

  it('round-trips an entity, a blob and a queue message', async () => {
    const table = tableClient(`t${randomUUID().replace(/-/g, '').slice(0, 20)}`, 'AzureWebJobsStorage', settings);
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(42);

    const container = blobServiceClient('AzureWebJobsStorage', settings).getContainerClient(`c-${randomUUID()}`);
    await container.create();
    await container.getBlockBlobClient('hello.txt').upload('hello', 5);
    expect((await container.getBlockBlobClient('hello.txt').downloadToBuffer()).toString()).toBe('hello');

    const queue = queueServiceClient('AzureWebJobsStorage', settings).getQueueClient(`q-${randomUUID()}`);
    await queue.create();
    await queue.sendMessage('ping');
    expect((await queue.receiveMessages()).receivedMessageItems[0]?.messageText).toBe('ping');
  });

  it('reads a row, or undefined when there is none, with only the properties selected', async () => {
    const table = tableClient(`t${randomUUID().replace(/-/g, '').slice(0, 20)}`, 'AzureWebJobsStorage', settings);
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 42, note: 'kept' });

    expect(await entityOrUndefined<{ value: number }>(table, 'p', 'r')).toMatchObject({ value: 42, note: 'kept', etag: expect.any(String) });
    expect(await entityOrUndefined(table, 'p', 'missing')).toBeUndefined();
    const selected = await entityOrUndefined<{ value: number }>(table, 'p', 'r', ['value']);
    expect(selected).toMatchObject({ value: 42 });
    expect(selected).not.toHaveProperty('note');
  });

  // The SDKs read a connection string's settings with the spaces around them trimmed, and so must the account key's
  // reading: without the key, the requests went unsigned and storage refused them.
  it('sign blob and queue requests with the account key of a connection string spaced after its semicolons', async () => {
    const spaced = { Spaced: inject('azuriteConnectionString').split(';').join('; ') };

    const container = blobServiceClient('Spaced', spaced).getContainerClient(`c-${randomUUID()}`);
    await container.create();
    await container.getBlockBlobClient('hello.txt').upload('hello', 5);
    const queue = queueServiceClient('Spaced', spaced).getQueueClient(`q-${randomUUID()}`);
    await queue.create();

    expect((await container.getBlockBlobClient('hello.txt').downloadToBuffer()).toString()).toBe('hello');
    expect(await queue.exists()).toBe(true);
  });

  it('reuses one client per connection and entity', () => {
    expect(tableClient('Same', 'AzureWebJobsStorage', settings)).toBe(tableClient('Same', 'AzureWebJobsStorage', settings));
  });
});

describe('table requests', () => {
  // Every kind of request the app's tables make: without a timeout of its own, one that hangs waits for the
  // Functions host to time the whole invocation out, and the input's retry or poisoning waits with it.
  const requests: [string, (table: TableClient) => Promise<unknown>][] = [
    ['a read', (table) => table.getEntity('p', 'r')],
    ['an insert', (table) => table.createEntity({ partitionKey: 'p', rowKey: 'r' })],
    ['a conditional update', (table) => table.updateEntity({ partitionKey: 'p', rowKey: 'r' }, 'Replace', { etag: '"1"' })],
    ['a transaction', (table) => table.submitTransaction([['upsert', { partitionKey: 'p', rowKey: 'r' }, 'Replace']])],
    ['a table creation', (table) => table.createTable()],
    ['a page of a listing', async (table) => { for await (const _ of table.listEntities()) break; }],
  ];

  it.each(requests)('fail %s that gets no answer after STORAGE_REQUEST_TIMEOUT_MS, saying so', (_, request) =>
    withHangingEndpoint(async (endpoint) => {
      const table = tableClient(`t${randomUUID().replace(/-/g, '').slice(0, 20)}`, 'Hung', { Hung: endpoint.connectionString });
      const { outcome } = await endpoint.holding(() => request(table));
      vi.advanceTimersByTime(STORAGE_REQUEST_TIMEOUT_MS - 1);
      await expect(Promise.race([outcome, new Promise((resolve) => setImmediate(() => resolve('still waiting')))])).resolves.toBe('still waiting');
      vi.advanceTimersByTime(1);
      await expect(outcome).rejects.toThrow(`Table storage did not answer within ${STORAGE_REQUEST_TIMEOUT_MS / 1000} s`);
    }));
});

describe('blob and queue requests', () => {
  // The storage SDKs' tryTimeoutInMs only asks the service to give up: a hung connection would still wait for the
  // Functions host's timeout, and the input's retry or poisoning with it.
  const container = (endpoint: string) => blobServiceClient('Hung', { Hung: endpoint }).getContainerClient(`c-${randomUUID()}`);
  const queue = (endpoint: string) => queueServiceClient('Hung', { Hung: endpoint }).getQueueClient(`q-${randomUUID()}`);
  const requests: [string, string, (endpoint: string) => Promise<unknown>][] = [
    ['Blob', 'a download', (endpoint) => container(endpoint).getBlobClient('b').download()],
    ['Blob', 'an upload', (endpoint) => container(endpoint).getBlockBlobClient('b').upload('x', 1)],
    ['Blob', 'a staged block', (endpoint) => container(endpoint).getBlockBlobClient('b').stageBlock('YQ==', 'x', 1)],
    ['Blob', 'a conditional delete', (endpoint) => container(endpoint).getBlobClient('b').deleteIfExists({ conditions: { ifMatch: '"1"' } })],
    ['Blob', 'a container creation', (endpoint) => container(endpoint).createIfNotExists()],
    ['Blob', 'a page of a listing', async (endpoint) => { for await (const _ of container(endpoint).listBlobsFlat()) break; }],
    ['Queue', 'a send', (endpoint) => queue(endpoint).sendMessage('ping')],
    ['Queue', 'a receive', (endpoint) => queue(endpoint).receiveMessages()],
    ['Queue', 'a queue creation', (endpoint) => queue(endpoint).createIfNotExists()],
  ];

  it.each(requests)('fail (%s) %s that gets no answer after STORAGE_REQUEST_TIMEOUT_MS, saying so', (service, _, request) =>
    withHangingEndpoint(async (endpoint) => {
      const { outcome } = await endpoint.holding(() => request(endpoint.connectionString));
      vi.advanceTimersByTime(STORAGE_REQUEST_TIMEOUT_MS - 1);
      await expect(Promise.race([outcome, new Promise((resolve) => setImmediate(() => resolve('still waiting')))])).resolves.toBe('still waiting');
      vi.advanceTimersByTime(1);
      await expect(outcome).rejects.toThrow(`${service} storage did not answer within ${STORAGE_REQUEST_TIMEOUT_MS / 1000} s`);
    }));
});

describe('downloadBody', () => {
  /** Waits for `condition` with the clock stopped (vi.waitFor would move a fake clock on). */
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setImmediate(resolve));
  };

  // The request timeout ends with the response's headers: a connection that hangs mid-body is the reader's to notice.
  it('fails a download whose body stops coming for STORAGE_REQUEST_TIMEOUT_MS while it is read, saying so', () =>
    withHangingEndpoint(
      async (endpoint) => {
        const blob = blobServiceClient('Hung', { Hung: endpoint.connectionString }).getContainerClient('input').getBlobClient('orders.csv');
        const body = downloadBody(await blob.download(), blob);
        const chunks: string[] = [];
        const reading = (async () => {
          for await (const chunk of body) chunks.push(String(chunk));
        })();
        await until(() => chunks.length > 0);
        expect(chunks).toEqual(['orderId,sku\n']);
        vi.advanceTimersByTime(STORAGE_REQUEST_TIMEOUT_MS - 1);
        await expect(Promise.race([reading, new Promise((resolve) => setImmediate(() => resolve('still waiting')))])).resolves.toBe('still waiting');
        vi.advanceTimersByTime(1);
        await expect(reading).rejects.toThrow(`Blob storage sent nothing of input/orders.csv for ${STORAGE_REQUEST_TIMEOUT_MS / 1000} s`);
      },
      { bodyStart: 'orderId,sku\n' },
    ));

  it('reads a body whole, however long its reader leaves it unread', async () => {
    const container = blobServiceClient('AzureWebJobsStorage', { AzureWebJobsStorage: inject('azuriteConnectionString') }).getContainerClient(`c-${randomUUID()}`);
    await container.create();
    const blob = container.getBlockBlobClient('orders.csv');
    await blob.upload('x'.repeat(200_000), 200_000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const body = downloadBody(await blob.download(), blob);
      // Read ahead to its high-water mark, it waits for its reader, not for storage.
      body.read(0);
      await until(() => body.readableLength >= body.readableHighWaterMark);
      vi.advanceTimersByTime(2 * STORAGE_REQUEST_TIMEOUT_MS);
      let read = 0;
      for await (const chunk of body) read += (chunk as Buffer).length;
      expect(read).toBe(200_000);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('ensureTable and ensureContainer', () => {
  const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };

  it('create a missing table and container on first use', async () => {
    const table = tableClient(`t${randomUUID().replace(/-/g, '').slice(0, 20)}`, 'AzureWebJobsStorage', settings);
    await ensureTable(table);
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r' });

    const name = `c-${randomUUID()}`;
    await ensureContainer(blobServiceClient('AzureWebJobsStorage', settings).getContainerClient(name));
    expect(await blobServiceClient('AzureWebJobsStorage', settings).getContainerClient(name).exists()).toBe(true);
  });

  it('create each entity once per process, also for concurrent callers and new clients of it', async () => {
    const createIfNotExists = vi.fn(async () => ({ succeeded: true }));
    const container = () => ({ url: 'https://acct.blob.core.windows.net/once', createIfNotExists }) as unknown as ContainerClient;
    await Promise.all([ensureContainer(container()), ensureContainer(container())]);
    await ensureContainer(container());
    expect(createIfNotExists).toHaveBeenCalledTimes(1);
  });

  it('try a failed creation again on the next call instead of remembering the failure', async () => {
    const createTable = vi.fn<() => Promise<void>>().mockRejectedValueOnce(new Error('table service unavailable')).mockResolvedValue(undefined);
    const table = { url: 'https://acct.table.core.windows.net', tableName: 'retried', createTable } as unknown as TableClient;
    await expect(ensureTable(table)).rejects.toThrow('table service unavailable');
    await ensureTable(table);
    await ensureTable(table);
    expect(createTable).toHaveBeenCalledTimes(2);
  });
});

describe('deleteEntities', () => {
  const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };

  it('deletes the listed rows in transactions of up to 100 rows of one partition', async () => {
    const table = tableClient(`t${randomUUID().replace(/-/g, '').slice(0, 20)}`, 'AzureWebJobsStorage', settings);
    await ensureTable(table);
    const rows = (partitionKey: string, count: number) => Array.from({ length: count }, (_, index) => ({ partitionKey, rowKey: `r${index}` }));
    for (const row of [...rows('a', 110), ...rows('b', 10), { partitionKey: 'c', rowKey: 'kept' }]) await table.createEntity(row);
    const transactions = vi.spyOn(table, 'submitTransaction');

    const listed = table.listEntities<{ partitionKey: string; rowKey: string }>({ queryOptions: { filter: "PartitionKey ne 'c'", select: ['PartitionKey', 'RowKey'] } });
    expect(await deleteEntities(table, listed)).toBe(120);

    const batches = transactions.mock.calls.map(([actions]) => [actions[0]![1].partitionKey, actions.length]);
    expect(batches).toEqual([['a', 100], ['a', 10], ['b', 10]]);
    const left = [];
    for await (const row of table.listEntities()) left.push(row.rowKey);
    expect(left).toEqual(['kept']);
  });

  // A transaction fails whole on a row already gone: a purge stopped there for the night.
  it('goes on past rows already gone: a transaction that landed but lost its response, or another deleter', async () => {
    const { table, losing } = tableLosingResponses(settings.AzureWebJobsStorage);
    await ensureTable(table);
    async function* rows(partitionKey: string) {
      for (const rowKey of ['r0', 'r1', 'r2']) yield { partitionKey, rowKey };
    }
    const left = async () => {
      const keys = [];
      for await (const row of table.listEntities()) keys.push(`${row.partitionKey}/${row.rowKey}`);
      return keys;
    };
    for (const partitionKey of ['a', 'b']) for await (const row of rows(partitionKey)) await table.createEntity(row);

    losing.next = true;
    expect(await deleteEntities(table, rows('a'))).toBe(3);
    expect(await left()).toEqual(['b/r0', 'b/r1', 'b/r2']);

    await table.deleteEntity('b', 'r1');
    expect(await deleteEntities(table, rows('b'))).toBe(3);
    expect(await left()).toEqual([]);
  });
});
