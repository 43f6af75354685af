import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RepositoryError } from '../../src/resources/repository.js';
import { TableRepository } from '../../src/resources/table-repository.js';
import { tableClient } from '../../src/shared/storage-clients.js';
import { tableLosingResponses } from '../support/lost-write-responses.js';

type Fields = { name: string; tags?: string[] };

// Against the Azurite the test setup started: the real Table API, a fresh table per run.
describe('TableRepository (Azurite)', () => {
  const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };
  const table = `items${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let repository: TableRepository<Fields>;

  beforeAll(() => {
    repository = new TableRepository<Fields>(table, () => tableClient(table, 'AzureWebJobsStorage', settings));
  });

  it('creates the table on first use and round-trips an item', async () => {
    const created = await repository.create('a1', { name: 'first', tags: ['x'] });
    expect(created).toMatchObject({ id: 'a1', fields: { name: 'first', tags: ['x'] } });
    // Strong, so If-Match can match it (RFC 9110 §8.8.3.2): Table Storage's own ETags are marked weak.
    expect(created.etag).toMatch(/^"datetime'.+'"$/);
    expect(await repository.get('a1')).toEqual(created);
    expect(await repository.get('missing')).toBeUndefined();
  });

  it('refuses a second item with the same id', async () => {
    await repository.create('dup', { name: 'one' });
    await expect(repository.create('dup', { name: 'two' })).rejects.toMatchObject({ kind: 'exists' });
  });

  it('replaces only the version it was given', async () => {
    const created = await repository.create('r1', { name: 'one' });
    const replaced = await repository.replace('r1', { name: 'two' }, created.etag);
    expect(replaced).toMatchObject({ fields: { name: 'two' }, createdAt: created.createdAt });
    expect(replaced.etag).not.toBe(created.etag);
    await expect(repository.replace('r1', { name: 'three' }, created.etag)).rejects.toMatchObject({ kind: 'etag-mismatch' });
    await expect(repository.replace('nope', { name: 'x' }, '*')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('deletes, honouring If-Match', async () => {
    const created = await repository.create('d1', { name: 'one' });
    await repository.replace('d1', { name: 'two' }, created.etag);
    await expect(repository.delete('d1', created.etag)).rejects.toMatchObject({ kind: 'etag-mismatch' });
    await repository.delete('d1');
    await expect(repository.delete('d1')).rejects.toBeInstanceOf(RepositoryError);
  });

  it('takes an If-Match that is no ETag at all for a version mismatch (412), not a server error', async () => {
    await repository.create('m1', { name: 'one' });
    for (const etag of ['"abc"', 'garbage', 'W/"1", W/"2"']) {
      await expect(repository.replace('m1', { name: 'two' }, etag), etag).rejects.toMatchObject({ kind: 'etag-mismatch' });
      await expect(repository.delete('m1', etag), etag).rejects.toMatchObject({ kind: 'etag-mismatch' });
    }
  });

  it('pages through every item with continuation cursors', async () => {
    const pageTable = `pages${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const pages = new TableRepository<Fields>(pageTable, () => tableClient(pageTable, 'AzureWebJobsStorage', settings));
    // Ids whose continuation tokens (base64 of JSON) end in padding: `=` needs encoding in a URL.
    const ids = ['page1', 'page2', 'page3', 'page4', 'page5'];
    for (const id of ids) await pages.create(id, { name: id });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await pages.list(2, cursor);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      // Pasted into a URL as it is (`?cursor=…`), a base64 `+` would arrive as a space and the cursor be refused.
      if (cursor !== undefined) expect(encodeURIComponent(cursor)).toBe(cursor);
    } while (cursor !== undefined);

    expect(seen.sort()).toEqual(ids);
  });

  it('refuses a malformed cursor as invalid instead of failing or starting over', async () => {
    // Encoded as cursors are, so that it is their content that is refused.
    const encoded = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    const cursors = [
      encoded('null'),
      encoded('42'),
      encoded('"p1"'),
      encoded('["p1"]'),
      encoded('{}'),
      encoded('{"nextRowKey":"x"}'),
      encoded('{"nextPartitionKey":7}'),
      encoded('{"nextPartitionKey":""}'),
      encoded('{"nextPartitionKey":"p1","nextRowKey":false}'),
      encoded('not json'),
      'bogus!',
      '',
    ];
    for (const cursor of cursors) {
      await expect(repository.list(2, cursor), cursor).rejects.toMatchObject({ kind: 'invalid-cursor' });
    }
  });

  it('takes a write or delete that landed but lost its response, which the SDK resent, for done: not for a clash with another caller or a missing item', async () => {
    const { table, losing } = tableLosingResponses(settings.AzureWebJobsStorage);
    const lossy = new TableRepository<Fields>(table.tableName, () => table);
    await lossy.create('other', { name: 'creates the table' });

    // Taken for another item's id, a POST would answer 409 for the item it created, and the caller's retry create a second one.
    losing.next = true;
    const created = await lossy.create('l1', { name: 'one' });
    expect(created).toMatchObject({ id: 'l1', fields: { name: 'one' } });
    expect(created.etag).toBe((await lossy.get('l1'))?.etag);

    losing.next = true;
    const replaced = await lossy.replace('l1', { name: 'two' }, created.etag);
    expect(replaced).toMatchObject({ fields: { name: 'two' }, createdAt: created.createdAt });
    expect(replaced.etag).toBe((await lossy.get('l1'))?.etag);

    // Another caller's write in between is still a clash.
    await expect(lossy.create('l1', { name: 'again' })).rejects.toMatchObject({ kind: 'exists' });
    await expect(lossy.replace('l1', { name: 'three' }, created.etag)).rejects.toMatchObject({ kind: 'etag-mismatch' });

    // The resend of a DELETE finds nothing: taken for a missing item, the API would answer 404 for the delete it did.
    losing.next = true;
    await expect(lossy.delete('l1', replaced.etag)).resolves.toBeUndefined();
    expect(await lossy.get('l1')).toBeUndefined();
    await expect(lossy.delete('l1')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('refuses fields larger than a table property holds as too-large, not as a version mismatch or a storage error', async () => {
    // 64 KiB of UTF-16: the JSON of the fields may be 32768 characters long, not one more.
    const fieldsOfLength = (length: number) => ({ name: 'x'.repeat(length - '{"name":""}'.length) });
    const created = await repository.create('big1', { name: 'one' });
    await expect(repository.replace('big1', fieldsOfLength(32_769), created.etag)).rejects.toMatchObject({ kind: 'too-large' });
    await expect(repository.create('big2', fieldsOfLength(32_769))).rejects.toMatchObject({ kind: 'too-large' });
    await expect(repository.replace('big1', fieldsOfLength(32_768), created.etag)).resolves.toMatchObject({ id: 'big1' });
  });
});
