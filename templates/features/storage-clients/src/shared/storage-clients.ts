import { createHash } from 'node:crypto';
import {
  RestError,
  TableClient,
  type GetTableEntityResponse,
  type TableEntityResult,
  type TableServiceClientOptions,
  type TransactionAction,
} from '@azure/data-tables';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';

type StorageService = 'blob' | 'queue' | 'table';
type Settings = Readonly<Record<string, string | undefined>>;
/** The pipeline policy type, named through the tables package: the app does not depend on @azure/core-rest-pipeline itself. */
type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/** What `UseDevelopmentStorage=true` means: Azurite on its default ports with the public emulator key. */
const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

export type StorageConnection = { kind: 'connectionString'; connectionString: string } | { kind: 'identity'; serviceUri: string };

/**
 * Reads a storage connection the way the Functions host does: `<name>` holds a connection string (local
 * development against Azurite), or `<name>__<service>ServiceUri` names the endpoint and the managed
 * identity authenticates (Azure, where shared keys are disabled).
 */
export function storageConnection(name: string, service: StorageService, settings: Settings = process.env): StorageConnection {
  const connectionString = settings[name];
  if (connectionString) {
    return { kind: 'connectionString', connectionString: connectionString === 'UseDevelopmentStorage=true' ? DEVELOPMENT_STORAGE : connectionString };
  }
  // Never `<name>__serviceUri`: the host reads it as the endpoint of the one service its binding uses (blob or queue).
  const serviceUri = settings[`${name}__${service}ServiceUri`];
  if (serviceUri) return { kind: 'identity', serviceUri };
  throw new Error(`storage connection "${name}" is not configured: set ${name} or ${name}__${service}ServiceUri`);
}

let credential: TokenCredential | undefined;

/** One credential per process; in Azure AZURE_CLIENT_ID selects the app's user-assigned identity. */
export function azureCredential(): TokenCredential {
  credential ??= new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID });
  return credential;
}

// SDK clients are safe to share and expensive to create: one per connection and entity per process.
const clients = new Map<string, unknown>();

function cached<T>(key: string, create: () => T): T {
  if (!clients.has(key)) clients.set(key, create());
  return clients.get(key) as T;
}

/**
 * How long a Table storage request may go unanswered. The service answers every request within 30 s, its own
 * timeout included; past that the connection hangs, and without a timeout of its own the request would wait for
 * the Functions host to time the whole invocation out.
 */
export const TABLE_REQUEST_TIMEOUT_MS = 40_000;

/**
 * Fails each try of a request that gets no answer in time (the SDK's `timeout`, which the SDK leaves unset); a
 * transaction goes through the same pipeline. The SDK does not retry it: the caller's failure handling takes over.
 */
const tableRequestTimeout: PipelinePolicy = {
  name: 'tableRequestTimeout',
  async sendRequest(request, next) {
    request.timeout ||= TABLE_REQUEST_TIMEOUT_MS;
    try {
      return await next(request);
    } catch (error) {
      // The request's own timeout aborted it (the caller's signal did not): the SDK says only "aborted".
      if ((error as Error).name !== 'AbortError' || request.abortSignal?.aborted) throw error;
      const { origin, pathname } = new URL(request.url);
      throw new RestError(`Table storage did not answer within ${request.timeout / 1000} s: ${request.method} ${origin}${pathname}`, { request });
    }
  },
};

export function tableClient(table: string, connectionName = 'AzureWebJobsStorage', settings: Settings = process.env): TableClient {
  const connection = storageConnection(connectionName, 'table', settings);
  const additionalPolicies = [{ policy: tableRequestTimeout, position: 'perRetry' as const }];
  return cached(`table|${JSON.stringify(connection)}|${table}`, () =>
    connection.kind === 'connectionString'
      ? // Azurite speaks plain HTTP; the SDK refuses that unless told, and only local strings are HTTP.
        TableClient.fromConnectionString(connection.connectionString, table, {
          allowInsecureConnection: connection.connectionString.includes('http://'),
          additionalPolicies,
        })
      : new TableClient(connection.serviceUri, table, azureCredential(), { additionalPolicies }),
  );
}

export function blobServiceClient(connectionName = 'AzureWebJobsStorage', settings: Settings = process.env): BlobServiceClient {
  const connection = storageConnection(connectionName, 'blob', settings);
  return cached(`blob|${JSON.stringify(connection)}`, () =>
    connection.kind === 'connectionString'
      ? BlobServiceClient.fromConnectionString(connection.connectionString)
      : new BlobServiceClient(connection.serviceUri, azureCredential()),
  );
}

export function queueServiceClient(connectionName = 'AzureWebJobsStorage', settings: Settings = process.env): QueueServiceClient {
  const connection = storageConnection(connectionName, 'queue', settings);
  return cached(`queue|${JSON.stringify(connection)}`, () =>
    connection.kind === 'connectionString'
      ? QueueServiceClient.fromConnectionString(connection.connectionString)
      : new QueueServiceClient(connection.serviceUri, azureCredential()),
  );
}

// Creations in flight or done, per entity URL: a settled creation is not repeated, a failed one is dropped.
const created = new Map<string, Promise<void>>();

function createOnce(key: string, create: () => Promise<unknown>): Promise<void> {
  let creation = created.get(key);
  if (!creation) {
    creation = create().then(
      () => undefined,
      (error: unknown) => {
        created.delete(key);
        throw error;
      },
    );
    created.set(key, creation);
  }
  return creation;
}

/**
 * Creates the table on first use, once per process (Bicep creates it in Azure; a fresh Azurite has none).
 * A failed creation is tried again by the next call.
 */
export function ensureTable(table: TableClient): Promise<void> {
  return createOnce(`table|${table.url}|${table.tableName}`, () => table.createTable());
}

/** The same for a blob container. */
export function ensureContainer(container: ContainerClient): Promise<void> {
  return createOnce(`container|${container.url}`, () => container.createIfNotExists());
}

/** The same for a queue. */
export function ensureQueue(queue: QueueClient): Promise<void> {
  return createOnce(`queue|${queue.url}`, () => queue.createIfNotExists());
}

/**
 * A Table storage key for any text: its SHA-256 in hex. A key holds at most 1 KiB (512 UTF-16 characters), no `/`,
 * `\`, `#`, `?` or control characters, and a `%` breaks reading the row back on Azure, whose point operations
 * decode the URL path twice; 64 hex digits are always valid. Keep the text itself in a property of the row.
 */
export function tableKey(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Whether the storage service answered with one of `statuses` (409 the row exists, 412 it changed, 404 it is gone…).
 * The table, blob and queue clients all throw core-rest-pipeline's one RestError.
 */
export function hasStatus(error: unknown, ...statuses: number[]): boolean {
  return error instanceof RestError && statuses.includes(error.statusCode ?? 0);
}

/** A row, or undefined when the table has none under these keys (404). */
export async function entityOrUndefined<T extends object>(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
  select?: string[],
): Promise<GetTableEntityResponse<TableEntityResult<T>> | undefined> {
  try {
    return await table.getEntity<T>(partitionKey, rowKey, select && { queryOptions: { select } });
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  }
}

async function deleteEntityIfPresent(table: TableClient, partitionKey: string, rowKey: string): Promise<void> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
  } catch (error) {
    if (!hasStatus(error, 404)) throw error;
  }
}

/** Rows per transaction: Table storage's limit, and every row of one must share its partition. */
const MAX_TRANSACTION_ACTIONS = 100;

/**
 * Deletes rows, as listed (Table storage lists them by partition), in transactions of up to 100 rows of one
 * partition instead of a request per row: purges delete far more rows than one-by-one deletes get through.
 * Returns how many went (rows found already gone count).
 */
export async function deleteEntities(table: TableClient, rows: AsyncIterable<{ partitionKey: string; rowKey: string }>): Promise<number> {
  let batch: TransactionAction[] = [];
  let deleted = 0;
  const submit = async () => {
    if (batch.length === 0) return;
    try {
      await table.submitTransaction(batch);
    } catch (error) {
      // A transaction fails whole when one of its rows is already gone: its own first send landed but lost its
      // response (the SDK resent it), or another deleter was there first. One by one, a row gone is no failure.
      if (!hasStatus(error, 404)) throw error;
      for (const [, { partitionKey, rowKey }] of batch) await deleteEntityIfPresent(table, partitionKey, rowKey);
    }
    deleted += batch.length;
    batch = [];
  };
  for await (const { partitionKey, rowKey } of rows) {
    if (batch.length === MAX_TRANSACTION_ACTIONS || (batch.length > 0 && batch[0]![1].partitionKey !== partitionKey)) await submit();
    batch.push(['delete', { partitionKey, rowKey }]);
  }
  await submit();
  return deleted;
}

/** Deletes every row of a table that matches an OData filter, in transactions as deleteEntities does; returns how many went. */
export function deleteWhere(table: TableClient, filter: string): Promise<number> {
  return deleteEntities(table, table.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } }));
}
