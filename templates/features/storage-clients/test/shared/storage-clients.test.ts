import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { blobServiceClient, queueServiceClient, storageConnection, tableClient } from '../../src/shared/storage-clients.js';

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

  it('reuses one client per connection and entity', () => {
    expect(tableClient('Same', 'AzureWebJobsStorage', settings)).toBe(tableClient('Same', 'AzureWebJobsStorage', settings));
  });
});
