import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  RestError,
  TableClient,
  type GetTableEntityResponse,
  type TableEntityResult,
  type TableServiceClientOptions,
  type TransactionAction,
} from '@azure/data-tables';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import * as blobs from '@azure/storage-blob';
import type { BlobDownloadResponseParsed, ContainerClient } from '@azure/storage-blob';
import * as queues from '@azure/storage-queue';
import type { QueueClient } from '@azure/storage-queue';

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
 * How long a storage request may go unanswered: until its response's headers arrive, an upload's body included, a
 * download's body not (a large blob streams for as long as its reader takes). The services answer within 30 s, their
 * own timeout included; past that the connection hangs, and without a timeout of its own the request would wait for
 * the Functions host to time the whole invocation out. The SDKs' `tryTimeoutInMs` only asks the service to give up.
 */
export const STORAGE_REQUEST_TIMEOUT_MS = 40_000;

/** What the timeout reads and sets: a request of the Azure SDK's pipeline, or of the storage SDKs' older one. */
type TimedRequest = { timeout: number; method: string; url: string; abortSignal?: { readonly aborted: boolean } };

/**
 * Sends a request with the timeout on each of its tries (`timeout`, which the SDKs leave unset). The SDKs do not
 * retry a timed-out try: the caller's failure handling takes over.
 */
async function sendWithTimeout<T>(service: string, request: TimedRequest, send: () => Promise<T>): Promise<T> {
  request.timeout ||= STORAGE_REQUEST_TIMEOUT_MS;
  try {
    return await send();
  } catch (error) {
    // The request's own timeout aborted it (the caller's signal did not): the SDK says only "aborted".
    if ((error as Error).name !== 'AbortError' || request.abortSignal?.aborted) throw error;
    const { origin, pathname } = new URL(request.url);
    throw new RestError(`${service} storage did not answer within ${request.timeout / 1000} s: ${request.method} ${origin}${pathname}`);
  }
}

/** The timeout in the tables SDK's pipeline; a transaction goes through it too. */
const tableRequestTimeout: PipelinePolicy = {
  name: 'tableRequestTimeout',
  sendRequest: (request, next) => sendWithTimeout('Table', request, () => next(request)),
};

/**
 * The timeout in the blob and queue SDKs' pipelines, which take extra policies only in their older form: a factory
 * in the pipeline's `factories`.
 */
function storageRequestTimeout(service: 'Blob' | 'Queue'): blobs.RequestPolicyFactory & queues.RequestPolicyFactory {
  return { create: (next) => ({ sendRequest: (request) => sendWithTimeout(service, request, () => next.sendRequest(request)) }) };
}

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

/**
 * The blob and queue clients are built on a pipeline of their own, to add the timeout to it: the SDK reads a
 * connection string's endpoint (SAS included), and its account key signs.
 */
export function blobServiceClient(connectionName = 'AzureWebJobsStorage', settings: Settings = process.env): blobs.BlobServiceClient {
  const connection = storageConnection(connectionName, 'blob', settings);
  return cached(`blob|${JSON.stringify(connection)}`, () => {
    const [url, credential] =
      connection.kind === 'connectionString'
        ? [blobs.BlobServiceClient.fromConnectionString(connection.connectionString).url, connectionStringCredential(blobs, connection.connectionString)]
        : [connection.serviceUri, azureCredential()];
    const pipeline = blobs.newPipeline(credential);
    pipeline.factories.push(storageRequestTimeout('Blob'));
    return new blobs.BlobServiceClient(url, pipeline);
  });
}

export function queueServiceClient(connectionName = 'AzureWebJobsStorage', settings: Settings = process.env): queues.QueueServiceClient {
  const connection = storageConnection(connectionName, 'queue', settings);
  return cached(`queue|${JSON.stringify(connection)}`, () => {
    const [url, credential] =
      connection.kind === 'connectionString'
        ? [queues.QueueServiceClient.fromConnectionString(connection.connectionString).url, connectionStringCredential(queues, connection.connectionString)]
        : [connection.serviceUri, azureCredential()];
    const pipeline = queues.newPipeline(credential);
    pipeline.factories.push(storageRequestTimeout('Queue'));
    return new queues.QueueServiceClient(url, pipeline);
  });
}

/**
 * The credential a connection string signs with: its account key, or none when it grants access by a shared access
 * signature in its URLs. Made by the service's own package, whose pipeline tells credentials by class.
 */
function connectionStringCredential<Key, Anonymous>(
  sdk: { StorageSharedKeyCredential: new (accountName: string, accountKey: string) => Key; AnonymousCredential: new () => Anonymous },
  connectionString: string,
): Key | Anonymous {
  // Each setting trimmed, as the SDK reads them (`AccountName=x; AccountKey=y`).
  const setting = (name: string) => connectionString.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${name}=`))?.slice(name.length + 1);
  const [accountName, accountKey] = [setting('AccountName'), setting('AccountKey')];
  return accountName && accountKey ? new sdk.StorageSharedKeyCredential(accountName, accountKey) : new sdk.AnonymousCredential();
}

/**
 * A download's body, failing once nothing of it comes for STORAGE_REQUEST_TIMEOUT_MS while it is read: the request
 * timeout ends with the response's headers, and a connection that hangs mid-body would leave its reader waiting for
 * the Functions host's timeout. The time its reader takes between chunks does not count. Destroying the returned
 * stream before reading it does not reach the body: a caller that may never read it destroys the body itself.
 */
export function downloadBody(download: BlobDownloadResponseParsed, blob: { containerName: string; name: string }): Readable {
  const body = download.readableStreamBody as Readable;
  async function* chunks(): AsyncGenerator<Buffer> {
    const iterator = body[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = iterator.next() as Promise<IteratorResult<Buffer>>;
        // Settled by the body's destruction below once the wait is given up.
        next.catch(() => undefined);
        let timer: NodeJS.Timeout | undefined;
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new RestError(`Blob storage sent nothing of ${blob.containerName}/${blob.name} for ${STORAGE_REQUEST_TIMEOUT_MS / 1000} s`)),
            STORAGE_REQUEST_TIMEOUT_MS,
          );
        });
        const chunk = await Promise.race([next, stalled]).finally(() => clearTimeout(timer));
        if (chunk.done) return;
        yield chunk.value;
      }
    } finally {
      body.destroy();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
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
