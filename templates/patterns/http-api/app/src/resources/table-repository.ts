import { randomUUID } from 'node:crypto';
import type { TableClient, TableEntity } from '@azure/data-tables';
import { ensureTable, entityOrUndefined, hasStatus, tableClient } from '../shared/storage-clients.js';
import { RepositoryError, type Page, type Repository, type StoredItem } from './repository.js';

/**
 * A string property holds 64 KiB of UTF-16: the JSON of the fields may be this many characters. A merge patch
 * can grow an item past it with bodies each under the size limit, and Table Storage answers such a write with
 * a 400 that would otherwise pass for an If-Match it cannot parse.
 */
const MAX_FIELDS_LENGTH = 32 * 1024;

interface ItemEntity {
  partitionKey: string;
  rowKey: string;
  /** The resource's fields as JSON: the schema can evolve without migrating columns. */
  fields: string;
  createdAt: string;
  updatedAt: string;
  /** Tells this write apart from every other: see writtenByThisCall. */
  writeId: string;
}

/**
 * Items in Azure Table Storage, one partition per item so reads and writes spread across partitions as the
 * table grows. The table client comes from the shared storage clients: the managed identity in Azure
 * (`AzureWebJobsStorage__tableServiceUri`), a connection string locally.
 */
export class TableRepository<Fields> implements Repository<Fields> {
  constructor(
    table: string,
    private readonly client: () => TableClient = () => tableClient(table),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<StoredItem<Fields>>> {
    // A cursor that does not decode to a table position is the caller's mistake, not a server error.
    const continuationToken = cursor === undefined ? undefined : continuationTokenOf(cursor);
    if (cursor !== undefined && continuationToken === undefined) throw invalidCursor();
    const client = await this.tableClient();
    try {
      const page = await client.listEntities<ItemEntity>().byPage({ maxPageSize: limit, continuationToken }).next();
      const entities = page.done ? [] : page.value;
      const items = entities.map((entity) => this.toItem(entity));
      return entities.continuationToken ? { items, nextCursor: cursorOf(entities.continuationToken) } : { items };
    } catch (error) {
      if (cursor !== undefined && hasStatus(error, 400)) throw invalidCursor();
      throw error;
    }
  }

  async get(id: string): Promise<StoredItem<Fields> | undefined> {
    const entity = await entityOrUndefined<ItemEntity>(await this.tableClient(), id, '');
    return entity && this.toItem(entity);
  }

  async create(id: string, fields: Fields): Promise<StoredItem<Fields>> {
    const client = await this.tableClient();
    const timestamp = this.now().toISOString();
    const entity = this.toEntity(id, fields, timestamp, timestamp);
    try {
      const response = await client.createEntity(entity);
      return this.toItem({ ...entity, etag: response.etag! });
    } catch (error) {
      if (!hasStatus(error, 409)) throw error;
      const landed = await this.writtenByThisCall(client, entity);
      if (landed) return landed;
      throw new RepositoryError('exists', `an item with id "${id}" already exists`);
    }
  }

  async replace(id: string, fields: Fields, etag: string): Promise<StoredItem<Fields>> {
    const current = await this.get(id);
    if (!current) throw new RepositoryError('not-found', `no item with id "${id}"`);
    const entity = this.toEntity(id, fields, current.createdAt, this.now().toISOString());
    const client = await this.tableClient();
    try {
      const response = await client.updateEntity(entity, 'Replace', { etag: storageEtag(etag) });
      return this.toItem({ ...entity, etag: response.etag! });
    } catch (error) {
      const landed = hasStatus(error, 412) ? await this.writtenByThisCall(client, entity) : undefined;
      if (landed) return landed;
      throw this.writeError(error, id);
    }
  }

  async delete(id: string, etag = '*'): Promise<void> {
    const client = await this.tableClient();
    // Read first, so that a 404 from the delete means the item was there and went: a delete that landed but lost
    // its response (the SDK's resend found no row), or another caller's. Either way what was asked is done.
    if (!(await entityOrUndefined<ItemEntity>(client, id, ''))) throw new RepositoryError('not-found', `no item with id "${id}"`);
    try {
      await client.deleteEntity(id, '', { etag: storageEtag(etag) });
    } catch (error) {
      if (hasStatus(error, 404)) return;
      throw this.writeError(error, id);
    }
  }

  /** The table, created on first use (once per process), so a fresh Azurite needs no setup. */
  private async tableClient(): Promise<TableClient> {
    const client = this.client();
    await ensureTable(client);
    return client;
  }

  /**
   * The item as `entity` left it, when the write landed but lost its response (a timeout, a dropped connection) and
   * the SDK's resend met what it left: the row (409) or its new ETag (412). Taken for another caller's write, a POST
   * would answer 409 for the item it created (and the caller's retry create a second one), a PUT 412 for its own change.
   */
  private async writtenByThisCall(client: TableClient, entity: TableEntity<ItemEntity>): Promise<StoredItem<Fields> | undefined> {
    const stored = await entityOrUndefined<ItemEntity>(client, entity.partitionKey, entity.rowKey);
    return stored?.writeId === entity.writeId ? this.toItem(stored) : undefined;
  }

  private writeError(error: unknown, id: string): unknown {
    if (hasStatus(error, 404)) return new RepositoryError('not-found', `no item with id "${id}"`);
    if (hasStatus(error, 412)) return new RepositoryError('etag-mismatch', `item "${id}" has changed`);
    // Storage answers 400 to an If-Match it cannot parse: that ETag matches no version of the item.
    if (hasStatus(error, 400)) return new RepositoryError('etag-mismatch', `If-Match names no version of item "${id}"`);
    return error;
  }

  private toEntity(id: string, fields: Fields, createdAt: string, updatedAt: string): TableEntity<ItemEntity> {
    const json = JSON.stringify(fields);
    if (json.length > MAX_FIELDS_LENGTH) throw new RepositoryError('too-large', `the fields of item "${id}" exceed what a table property holds`);
    return { partitionKey: id, rowKey: '', fields: json, createdAt, updatedAt, writeId: randomUUID() };
  }

  private toItem(entity: ItemEntity & { etag: string }): StoredItem<Fields> {
    return {
      id: entity.partitionKey,
      etag: apiEtag(entity.etag),
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
      fields: JSON.parse(entity.fields) as Fields,
    };
  }
}

/**
 * Table Storage marks its ETags weak (`W/"datetime'…'"`), yet each names one exact version of the entity, and
 * the item's JSON is derived from the entity alone: a strong validator for the API, so If-Match can match it.
 */
function apiEtag(storage: string): string {
  return storage.replace(/^W\//, '');
}

/** The ETag as Table Storage expects it back; `*` stays unconditional. */
function storageEtag(etag: string): string {
  return etag === '*' ? etag : `W/${etag}`;
}

/**
 * The SDK's continuation token (base64 of `{"nextPartitionKey":"…","nextRowKey":"…"}`) as a cursor: base64url, so
 * that it goes into a URL as it is (base64's `+`, `/` and `=` would need encoding, and a `+` pasted as it is arrives
 * as a space).
 */
function cursorOf(continuationToken: string): string {
  return Buffer.from(continuationToken, 'base64').toString('base64url');
}

/**
 * The continuation token a cursor stands for; undefined when it is not one this API issued. The SDK decodes the
 * token unchecked: `null` throws a TypeError and an object without `nextPartitionKey` silently lists from the start.
 */
function continuationTokenOf(cursor: string): string | undefined {
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length === 0 || bytes.toString('base64url') !== cursor) return undefined;
  let token: unknown;
  try {
    token = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof token !== 'object' || token === null || Array.isArray(token)) return undefined;
  const { nextPartitionKey, nextRowKey } = token as Record<string, unknown>;
  const position = typeof nextPartitionKey === 'string' && nextPartitionKey !== '' && (nextRowKey === undefined || typeof nextRowKey === 'string');
  return position ? bytes.toString('base64') : undefined;
}

function invalidCursor(): RepositoryError {
  return new RepositoryError('invalid-cursor', 'the cursor is not one this API issued');
}
