/** A stored item: the resource's fields plus what the store owns. */
export interface StoredItem<Fields> {
  id: string;
  /**
   * The version, as a strong entity tag (`"…"`): sent as ETag and compared with If-Match, whose strong
   * comparison a weak `W/"…"` tag would never pass. It changes with every write.
   */
  etag: string;
  createdAt: string;
  updatedAt: string;
  fields: Fields;
}

export interface Page<T> {
  items: T[];
  /** Present when there are more items: pass it back to get the next page. */
  nextCursor?: string;
}

export type RepositoryErrorKind = 'exists' | 'not-found' | 'etag-mismatch' | 'invalid-cursor' | 'too-large';

/** The failures callers act on; the HTTP layer maps them to 409, 404, 412, 400 and 413. */
export class RepositoryError extends Error {
  constructor(
    readonly kind: RepositoryErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RepositoryError';
  }
}

/**
 * Storage of one resource's items. Writes that change an item take the etag they expect to replace, so two
 * clients updating the same item cannot silently overwrite each other.
 */
export interface Repository<Fields> {
  list(limit: number, cursor?: string): Promise<Page<StoredItem<Fields>>>;
  get(id: string): Promise<StoredItem<Fields> | undefined>;
  /** Throws `exists` when the id is taken, `too-large` when the store cannot hold the fields. */
  create(id: string, fields: Fields): Promise<StoredItem<Fields>>;
  /** Throws `not-found`, `too-large`, or `etag-mismatch` when the item changed since `etag` was read. */
  replace(id: string, fields: Fields, etag: string): Promise<StoredItem<Fields>>;
  /** Throws `not-found`, or `etag-mismatch` when `etag` is given and the item changed since. */
  delete(id: string, etag?: string): Promise<void>;
}

/** A repository in memory: for unit tests, and for trying the API without storage. */
export class InMemoryRepository<Fields> implements Repository<Fields> {
  private readonly items = new Map<string, StoredItem<Fields>>();
  private version = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async list(limit: number, cursor?: string): Promise<Page<StoredItem<Fields>>> {
    let after = '';
    if (cursor !== undefined) {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== cursor) throw new RepositoryError('invalid-cursor', 'the cursor is not one this API issued');
    }
    const ids = [...this.items.keys()].sort().filter((id) => id > after);
    const items = ids.slice(0, limit).map((id) => structuredClone(this.items.get(id)!));
    const last = items.at(-1);
    return ids.length > limit && last ? { items, nextCursor: Buffer.from(last.id, 'utf8').toString('base64url') } : { items };
  }

  async get(id: string): Promise<StoredItem<Fields> | undefined> {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }

  async create(id: string, fields: Fields): Promise<StoredItem<Fields>> {
    if (this.items.has(id)) throw new RepositoryError('exists', `an item with id "${id}" already exists`);
    const timestamp = this.now().toISOString();
    return this.store({ id, etag: this.nextEtag(), createdAt: timestamp, updatedAt: timestamp, fields: structuredClone(fields) });
  }

  async replace(id: string, fields: Fields, etag: string): Promise<StoredItem<Fields>> {
    const current = this.current(id, etag);
    return this.store({ ...current, etag: this.nextEtag(), updatedAt: this.now().toISOString(), fields: structuredClone(fields) });
  }

  async delete(id: string, etag?: string): Promise<void> {
    this.current(id, etag);
    this.items.delete(id);
  }

  private current(id: string, etag: string | undefined): StoredItem<Fields> {
    const item = this.items.get(id);
    if (!item) throw new RepositoryError('not-found', `no item with id "${id}"`);
    if (etag !== undefined && etag !== '*' && etag !== item.etag) throw new RepositoryError('etag-mismatch', `item "${id}" has changed`);
    return item;
  }

  private store(item: StoredItem<Fields>): StoredItem<Fields> {
    this.items.set(item.id, item);
    return structuredClone(item);
  }

  private nextEtag(): string {
    this.version += 1;
    return `"${this.version}"`;
  }
}
