import { gzipSync } from 'node:zlib';
import { HttpRequest } from '@azure/functions';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { crudHandlers, mergePatch, registerCrudFunctions } from '../../src/http/crud.js';
import type { ApiHandler } from '../../src/http/handler.js';
import { MAX_BODY_BYTES } from '../../src/http/negotiation.js';
import { InMemoryRepository, RepositoryError, type StoredItem } from '../../src/resources/repository.js';
import { defineResource } from '../../src/resources/resource.js';
import { apiRequest, invocation, problemOf } from '../support/http.js';

// The CRUD machinery every resource shares, on a resource of its own so the app's schemas can change freely.
const widgets = defineResource({
  name: 'widgets',
  itemName: 'Widget',
  table: 'widgets',
  fields: z.strictObject({ name: z.string().min(1), note: z.string().optional() }),
  scopes: { read: 'widgets.read', write: 'widgets.write' },
});
type Widget = z.infer<typeof widgets.fields>;

function setup(repository = new InMemoryRepository<Widget>()) {
  const handlers = crudHandlers(widgets, { repository });
  const create = async (body: unknown) => handlers.create(apiRequest('POST', '/api/widgets', { body }), invocation());
  const item = (method: string, id: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
    apiRequest(method, `/api/widgets/${id}`, { ...options, params: { id } });
  return { handlers, repository, create, item };
}

describe('defineResource', () => {
  it('refuses fields named like the members the server writes, which would replace the item\'s own', () => {
    for (const member of ['id', 'createdAt', 'updatedAt']) {
      const fields = z.strictObject({ name: z.string(), [member]: z.string() });
      expect(() => defineResource({ ...widgets, fields }), member).toThrow(`Widget: ${member} is set by the server`);
    }
  });
});

describe('errors are RFC 9457 problems', () => {
  it('carry the invocation id in the body and in X-Correlation-Id', async () => {
    const { handlers, item } = setup();
    const context = invocation();

    const response = await handlers.get(item('GET', 'missing'), context);

    expect(response.status).toBe(404);
    expect(response.headers?.['X-Correlation-Id']).toBe(context.invocationId);
    // A web front end on another origin reads the correlation id, and an ETag for If-Match, only when exposed.
    expect(response.headers?.['Access-Control-Expose-Headers']).toBe('ETag, Location, Link, X-Correlation-Id, WWW-Authenticate, Allow, Accept-Patch, Accept-Encoding');
    expect(problemOf(response)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'There is no Widget with id "missing".',
      instance: '/api/widgets/missing',
      correlationId: context.invocationId,
    });
  });

  it('answer 500 for an unexpected failure, log it with context and leak nothing', async () => {
    const repository = new InMemoryRepository<Widget>();
    repository.get = async () => {
      throw new Error('socket hang up at 10.0.0.7 (password=hunter2)');
    };
    const { handlers, item } = setup(repository);
    const context = invocation();

    const response = await handlers.get(item('GET', 'w1'), context);

    expect(response.status).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('at ');
    expect(problemOf(response).detail).toBe('The server failed to process the request.');
    expect(context.logs).toContainEqual({ level: 'error', message: expect.stringContaining(context.invocationId) });
    expect(context.logs.some((log) => log.message.includes('socket hang up'))).toBe(true);
  });
});

describe('create', () => {
  it('400 for a body that is not JSON', async () => {
    const { handlers } = setup();
    const response = await handlers.create(apiRequest('POST', '/api/widgets', { body: '{"name":', headers: { 'content-type': 'application/json' } }), invocation());
    expect(response.status).toBe(400);
    expect(problemOf(response).detail).toBe('The body is not valid JSON.');
  });

  it('400 for a body that is not UTF-8, rather than storing replacement characters', async () => {
    const { handlers } = setup();
    const latin1 = Uint8Array.from([...'{"name":"caf'].map((char) => char.charCodeAt(0)).concat([0xe9, 0x22, 0x7d]));
    const request = new HttpRequest({ method: 'POST', url: 'http://localhost/api/widgets', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: { bytes: latin1 } });
    const response = await handlers.create(request, invocation());
    expect(response.status).toBe(400);
    expect(problemOf(response).detail).toBe('The body is not valid UTF-8.');
  });

  it('400 with a JSON Pointer for each invalid field', async () => {
    const { create } = setup();
    const response = await create({ name: 42, extra: true });
    expect(response.status).toBe(400);
    expect(problemOf(response).errors).toEqual([
      { pointer: '/name', detail: expect.any(String) },
      { pointer: '/extra', detail: 'unknown field' },
    ]);
  });

  it('409 when the client-chosen id is taken', async () => {
    const { create } = setup();
    expect((await create({ id: 'w1', name: 'one' })).status).toBe(201);
    const again = await create({ id: 'w1', name: 'again' });
    expect(again.status).toBe(409);
    expect(problemOf(again).title).toBe('Conflict');
  });

  it('413 for a body over the limit, by Content-Length or by size', async () => {
    const { handlers } = setup();
    const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) });
    const declared = apiRequest('POST', '/api/widgets', { body: '{}', headers: { 'content-type': 'application/json', 'content-length': String(big.length) } });
    expect((await handlers.create(declared, invocation())).status).toBe(413);
    const actual = apiRequest('POST', '/api/widgets', { body: big, headers: { 'content-type': 'application/json' } });
    expect((await handlers.create(actual, invocation())).status).toBe(413);
  });

  it('415 for a body that is not application/json', async () => {
    const { handlers } = setup();
    const response = await handlers.create(apiRequest('POST', '/api/widgets', { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), invocation());
    expect(response.status).toBe(415);
  });

  // The Functions host hands the body over as it arrived: compressed JSON would be refused as bad UTF-8 or JSON.
  it('415 naming Accept-Encoding for a compressed body, which the API does not decompress', async () => {
    const { handlers } = setup();
    const gzipped = gzipSync(JSON.stringify({ name: 'x' }));
    const request = new HttpRequest({ method: 'POST', url: 'http://localhost/api/widgets', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: { bytes: gzipped } });
    const response = await handlers.create(request, invocation());
    expect(response.status).toBe(415);
    expect(response.headers?.['Accept-Encoding']).toBe('identity');
    expect(problemOf(response).detail).toBe('Send the body uncompressed: Content-Encoding gzip is not accepted.');
    const identity = apiRequest('POST', '/api/widgets', { body: { name: 'x' }, headers: { 'content-type': 'application/json', 'content-encoding': 'identity' } });
    expect((await handlers.create(identity, invocation())).status).toBe(201);
  });

  it('406 when the caller accepts no JSON response', async () => {
    const { handlers } = setup();
    const response = await handlers.create(apiRequest('POST', '/api/widgets', { body: { name: 'x' }, headers: { accept: 'text/csv' } }), invocation());
    expect(response.status).toBe(406);
  });
});

describe('list', () => {
  async function seeded(count: number) {
    const context = setup();
    for (let i = 1; i <= count; i++) await context.create({ id: `w${i}`, name: `widget, "${i}"` });
    return context;
  }

  it('pages with limit and cursor, linking to the next page', async () => {
    const { handlers } = await seeded(3);

    const first = await handlers.list(apiRequest('GET', '/api/widgets?limit=2'), invocation());
    const body = first.jsonBody as { items: { id: string }[]; nextCursor: string };
    expect(body.items.map((item) => item.id)).toEqual(['w1', 'w2']);
    expect(first.headers?.Link).toBe(`</api/widgets?limit=2&cursor=${body.nextCursor}>; rel="next"`);

    const second = await handlers.list(apiRequest('GET', `/api/widgets?limit=2&cursor=${body.nextCursor}`), invocation());
    expect(second.jsonBody).toEqual({ items: [expect.objectContaining({ id: 'w3' })] });
    expect(second.headers?.Link).toBeUndefined();
  });

  it('answers text/csv when asked, with a header row and quoted fields', async () => {
    const { handlers } = await seeded(1);
    const response = await handlers.list(apiRequest('GET', '/api/widgets', { headers: { accept: 'text/csv, application/json;q=0.5' } }), invocation());
    expect(response.headers?.['Content-Type']).toBe('text/csv; charset=utf-8');
    const [header, row] = response.body!.split('\r\n');
    expect(header).toBe('id,name,note,createdAt,updatedAt');
    expect(row).toMatch(/^w1,"widget, ""1""",,\d{4}-/);
  });

  it('says the representation depends on Accept (Vary), so a cache never answers a JSON request with CSV', async () => {
    const { handlers } = await seeded(1);
    for (const accept of ['text/csv', 'application/json']) {
      const response = await handlers.list(apiRequest('GET', '/api/widgets', { headers: { accept } }), invocation());
      expect(response.headers?.Vary, accept).toBe('Accept');
    }
  });

  it('406 for a representation it does not offer', async () => {
    const { handlers } = await seeded(1);
    const response = await handlers.list(apiRequest('GET', '/api/widgets', { headers: { accept: 'application/xml' } }), invocation());
    expect(response.status).toBe(406);
    expect(problemOf(response).detail).toBe('This resource is available as application/json, text/csv.');
  });

  it.each(['0', '101', 'ten', '1e1', '0x10', '5.0', '%205', ''])('400 for limit=%s', async (limit) => {
    const { handlers } = await seeded(1);
    const response = await handlers.list(apiRequest('GET', `/api/widgets?limit=${limit}`), invocation());
    expect(response.status).toBe(400);
    expect(problemOf(response).errors).toEqual([{ parameter: 'limit', detail: 'an integer from 1 to 100' }]);
  });

  it('400 naming each query parameter it does not take, so a filter it lacks never answers with every item', async () => {
    const { handlers } = await seeded(2);

    const response = await handlers.list(apiRequest('GET', '/api/widgets?name=widget&sort=name&limit=1&lmit=1'), invocation());

    expect(response.status).toBe(400);
    expect(problemOf(response).errors?.map((error) => ('parameter' in error ? error.parameter : error.pointer))).toEqual(['name', 'sort', 'lmit']);
  });

  // A client appending its own limit to the next link (which carries one) would otherwise get the link's, unasked.
  it('400 for limit or cursor given more than once, rather than taking one of them', async () => {
    const { handlers } = await seeded(3);
    const cursor = (await handlers.list(apiRequest('GET', '/api/widgets?limit=1'), invocation())).jsonBody as { nextCursor: string };

    for (const query of ['limit=2&limit=1', `cursor=${cursor.nextCursor}&limit=1&cursor=${cursor.nextCursor}`]) {
      const response = await handlers.list(apiRequest('GET', `/api/widgets?${query}`), invocation());
      expect(response.status, query).toBe(400);
      const parameter = query.startsWith('limit') ? 'limit' : 'cursor';
      expect(problemOf(response).errors, query).toEqual([{ parameter, detail: 'given more than once; give it once' }]);
    }
  });

  it('takes `code` only where the host reads a function key from it: elsewhere it is a parameter like any other', async () => {
    const { handlers, repository } = await seeded(1);
    const keyed = crudHandlers(widgets, { repository, functionKeys: true });
    const request = () => apiRequest('GET', '/api/widgets?code=key&limit=1');

    expect((await keyed.list(request(), invocation())).status).toBe(200);
    const response = await handlers.list(request(), invocation());
    expect(response.status).toBe(400);
    expect(problemOf(response).errors).toEqual([{ parameter: 'code', detail: 'not a parameter of this list, which takes limit and cursor only' }]);
  });

  it('400 for a cursor it did not issue, naming the parameter as for limit', async () => {
    const { handlers } = await seeded(1);
    const response = await handlers.list(apiRequest('GET', '/api/widgets?cursor=bogus!'), invocation());
    expect(response.status).toBe(400);
    expect(problemOf(response).errors).toEqual([{ parameter: 'cursor', detail: 'not a cursor this API issued; start again without it' }]);
  });
});

describe('get, replace, update, delete', () => {
  it('400 for an id that cannot exist', async () => {
    const { handlers, item } = setup();
    const response = await handlers.get(item('GET', 'not%20valid'), invocation());
    expect(response.status).toBe(400);
    expect(problemOf(response).errors).toEqual([{ parameter: 'id', detail: expect.any(String) }]);
  });

  it('404 for PUT, PATCH and DELETE of a missing item', async () => {
    const { handlers, item } = setup();
    const json = { 'content-type': 'application/json' };
    expect((await handlers.replace(item('PUT', 'nope', { body: { name: 'x' } }), invocation())).status).toBe(404);
    expect((await handlers.update(item('PATCH', 'nope', { body: JSON.stringify({ name: 'x' }), headers: json }), invocation())).status).toBe(404);
    expect((await handlers.delete(item('DELETE', 'nope'), invocation())).status).toBe(404);
  });

  it('412 when If-Match names a stale version, and success with the current one', async () => {
    const { handlers, create, item } = setup();
    const created = await create({ id: 'w1', name: 'one' });
    const staleEtag = created.headers!.ETag!;
    const replaced = await handlers.replace(item('PUT', 'w1', { body: { name: 'two' }, headers: { 'if-match': staleEtag } }), invocation());
    expect(replaced.status).toBe(200);

    const stale = await handlers.replace(item('PUT', 'w1', { body: { name: 'three' }, headers: { 'if-match': staleEtag } }), invocation());
    expect(stale.status).toBe(412);
    expect((await handlers.delete(item('DELETE', 'w1', { headers: { 'if-match': staleEtag } }), invocation())).status).toBe(412);
    expect((await handlers.delete(item('DELETE', 'w1', { headers: { 'if-match': replaced.headers!.ETag! } }), invocation())).status).toBe(204);
  });

  it('If-Match compares strongly: a weak tag is 412, `*` or a list naming the current ETag succeeds', async () => {
    const { handlers, create, item } = setup();
    const etag = (await create({ id: 'w1', name: 'one' })).headers!.ETag!;
    const put = (ifMatch: string) => handlers.replace(item('PUT', 'w1', { body: { name: 'next' }, headers: { 'if-match': ifMatch } }), invocation());

    expect(etag).toMatch(/^"/);
    expect((await put(`W/${etag}`)).status).toBe(412);
    const listed = await put(`"other", ${etag}`);
    expect(listed.status).toBe(200);
    expect((await put('*')).status).toBe(200);
    expect((await put('not an etag')).status).toBe(412);

    const current = (await handlers.get(item('GET', 'w1'), invocation())).headers!.ETag!;
    expect((await handlers.delete(item('DELETE', 'w1', { headers: { 'if-match': `W/${current}` } }), invocation())).status).toBe(412);
    expect((await handlers.delete(item('DELETE', 'w1', { headers: { 'if-match': `"other", ${current}` } }), invocation())).status).toBe(204);
    expect((await handlers.delete(item('DELETE', 'w1', { headers: { 'if-match': '*' } }), invocation())).status).toBe(404);
  });

  it('PUT, PATCH and DELETE with If-None-Match: 412 while `*` or a listed tag is current, so nothing is overwritten', async () => {
    const { handlers, create, item } = setup();
    const etag = (await create({ id: 'w1', name: 'one' })).headers!.ETag!;
    const merge = { 'content-type': 'application/merge-patch+json' };
    const put = (ifNoneMatch: string) => handlers.replace(item('PUT', 'w1', { body: { name: 'two' }, headers: { 'if-none-match': ifNoneMatch } }), invocation());
    const patch = (ifNoneMatch: string) => handlers.update(item('PATCH', 'w1', { body: '{"name":"two"}', headers: { ...merge, 'if-none-match': ifNoneMatch } }), invocation());
    const remove = (ifNoneMatch: string) => handlers.delete(item('DELETE', 'w1', { headers: { 'if-none-match': ifNoneMatch } }), invocation());

    for (const ifNoneMatch of ['*', etag, `W/${etag}`]) {
      for (const write of [put, patch, remove]) expect((await write(ifNoneMatch)).status, `${write.name} ${ifNoneMatch}`).toBe(412);
    }
    expect((await handlers.get(item('GET', 'w1'), invocation())).jsonBody).toMatchObject({ name: 'one' });

    expect((await put('"other"')).status).toBe(200);
    expect((await remove('"other"')).status).toBe(204);
  });

  it('If-Match is checked before the body: a stale version is 412 even when the body is invalid', async () => {
    const { handlers, create, item } = setup();
    await create({ id: 'w1', name: 'one' });
    const response = await handlers.replace(item('PUT', 'w1', { body: { name: '' }, headers: { 'if-match': '"stale"' } }), invocation());
    expect(response.status).toBe(412);
  });

  it('GET with If-None-Match: 304 with the ETag and no body while a listed tag is current (weak comparison)', async () => {
    const { handlers, create, item } = setup();
    const etag = (await create({ id: 'w1', name: 'one' })).headers!.ETag!;
    const get = (ifNoneMatch: string) => handlers.get(item('GET', 'w1', { headers: { 'if-none-match': ifNoneMatch } }), invocation());

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const notModified = await get(ifNoneMatch);
      expect(notModified.status, ifNoneMatch).toBe(304);
      expect(notModified.headers?.ETag).toBe(etag);
      expect(notModified.body ?? notModified.jsonBody).toBeUndefined();
    }

    const changed = await get('"other"');
    expect(changed.status).toBe(200);
    expect(changed.jsonBody).toMatchObject({ id: 'w1', name: 'one' });
  });

  it('GET with If-Match: 412 unless a listed tag is current, as on the writes', async () => {
    const { handlers, create, item } = setup();
    const etag = (await create({ id: 'w1', name: 'one' })).headers!.ETag!;
    const get = (ifMatch: string) => handlers.get(item('GET', 'w1', { headers: { 'if-match': ifMatch } }), invocation());

    expect((await get('"stale"')).status).toBe(412);
    expect((await get(`W/${etag}`)).status).toBe(412);
    expect((await get(etag)).status).toBe(200);
    expect((await get('*')).status).toBe(200);
  });

  it('409 when another write lands between reading and saving', async () => {
    const repository = new InMemoryRepository<Widget>();
    const { handlers, create, item } = setup(repository);
    await create({ id: 'w1', name: 'one' });
    const read = repository.get.bind(repository);
    repository.get = async (id): Promise<StoredItem<Widget> | undefined> => {
      const current = await read(id);
      await repository.replace(id, { name: 'someone else' }, current!.etag);
      return current;
    };

    const response = await handlers.replace(item('PUT', 'w1', { body: { name: 'mine' } }), invocation());

    expect(response.status).toBe(409);
    // A DELETE conditional on If-None-Match alone deletes the version it checked, and a race is no stale If-Match either.
    const deleted = await handlers.delete(item('DELETE', 'w1', { headers: { 'if-none-match': '"other"' } }), invocation());
    expect(deleted.status).toBe(409);
  });

  it('413 when the patched item is larger than the store holds, rather than a conflict to retry', async () => {
    const repository = new InMemoryRepository<Widget>();
    const { handlers, create, item } = setup(repository);
    await create({ id: 'w1', name: 'one' });
    repository.replace = async () => {
      throw new RepositoryError('too-large', 'the fields exceed what a table property holds');
    };
    const response = await handlers.update(item('PATCH', 'w1', { body: '{"note":"long"}', headers: { 'content-type': 'application/merge-patch+json' } }), invocation());
    expect(response.status).toBe(413);
    expect(problemOf(response).detail).toBe('The Widget would be larger than the store holds; send less data.');
  });

  it('PATCH: null removes a field, a non-object is refused, the result is validated', async () => {
    const { handlers, create, item } = setup();
    await create({ id: 'w1', name: 'one', note: 'remove me' });
    const patch = (body: string) => handlers.update(item('PATCH', 'w1', { body, headers: { 'content-type': 'application/merge-patch+json' } }), invocation());

    expect((await patch('{"note":null}')).jsonBody).not.toHaveProperty('note');
    expect((await patch('[1,2]')).status).toBe(400);
    const invalid = await patch('{"name":null}');
    expect(invalid.status).toBe(400);
    expect(problemOf(invalid).errors).toEqual([{ pointer: '/name', detail: expect.any(String) }]);
  });

  it('PATCH: a "__proto__" member is an unknown field, as in POST and PUT, not a way to set fields unchecked', async () => {
    const { handlers, create, item } = setup();
    await create({ id: 'w1', name: 'one' });
    const response = await handlers.update(
      item('PATCH', 'w1', { body: '{"__proto__":{"note":"unchecked","extra":true}}', headers: { 'content-type': 'application/merge-patch+json' } }),
      invocation(),
    );
    expect(response.status).toBe(400);
    expect(problemOf(response).errors).toEqual([{ pointer: '/__proto__', detail: 'unknown field' }]);
    expect((await handlers.get(item('GET', 'w1'), invocation())).jsonBody).not.toHaveProperty('note');
  });

  it('415 for a PATCH body that is not a merge patch, naming the patch formats in Accept-Patch', async () => {
    const { handlers, create, item } = setup();
    await create({ id: 'w1', name: 'one' });
    const response = await handlers.update(item('PATCH', 'w1', { body: '[]', headers: { 'content-type': 'application/json-patch+json' } }), invocation());
    expect(response.status).toBe(415);
    // RFC 5789 §2.2: the client learns which patch document formats the resource takes.
    expect(response.headers?.['Accept-Patch']).toBe('application/merge-patch+json, application/json');
  });

  it('406 for GET of an item in CSV', async () => {
    const { handlers, create, item } = setup();
    await create({ id: 'w1', name: 'one' });
    expect((await handlers.get(item('GET', 'w1', { headers: { accept: 'text/csv' } }), invocation())).status).toBe(406);
  });
});

describe('caching', () => {
  it('keeps item and list responses out of shared caches and has the browser revalidate them with the ETag', async () => {
    const { handlers, create, item } = setup();
    const created = await create({ id: 'w1', name: 'one' });
    const responses = [created, await handlers.get(item('GET', 'w1'), invocation()), await handlers.list(apiRequest('GET', '/api/widgets'), invocation())];
    for (const response of responses) expect(response.headers?.['Cache-Control']).toBe('private, no-cache');
    // Problems stay uncacheable.
    expect((await handlers.get(item('GET', 'nope'), invocation())).headers?.['Cache-Control']).toBe('no-store');
  });
});

describe('HEAD', () => {
  it('answers like GET, with the same status and headers and no body', async () => {
    const { handlers, create, item } = setup();
    await create({ id: 'w1', name: 'one' });

    const get = await handlers.get(item('GET', 'w1'), invocation());
    const head = await handlers.get(item('HEAD', 'w1'), invocation());
    expect(head.status).toBe(200);
    expect(head.headers?.ETag).toBe(get.headers?.ETag);
    expect(head.headers?.['Content-Type']).toBe('application/json');
    expect(head.body ?? head.jsonBody).toBeUndefined();

    const list = await handlers.list(apiRequest('HEAD', '/api/widgets', { headers: { accept: 'text/csv' } }), invocation());
    expect(list.status).toBe(200);
    expect(list.headers?.['Content-Type']).toBe('text/csv; charset=utf-8');
    expect(list.body ?? list.jsonBody).toBeUndefined();

    const missing = await handlers.get(item('HEAD', 'nope'), invocation());
    expect(missing.status).toBe(404);
    expect(missing.headers?.['Content-Type']).toBe('application/problem+json');
    expect(missing.body).toBeUndefined();
  });

  it('is registered beside every GET', async () => {
    const registered = new Map<string, { methods: string[] }>();
    const app = { http: vi.fn((name: string, options: { methods: string[] }) => registered.set(name, options)) };
    registerCrudFunctions(app as never, widgets, setup().handlers, 'anonymous');
    expect(registered.get('widgets-list')!.methods).toEqual(['GET', 'HEAD']);
    expect(registered.get('widgets-get')!.methods).toEqual(['GET', 'HEAD']);
    expect(registered.get('widgets-create')!.methods).toEqual(['POST']);
  });
});

describe('methods a route does not offer', () => {
  it('405 with Allow, from the functions registered next to the operations', async () => {
    const registered = new Map<string, { handler: ApiHandler }>();
    const app = { http: vi.fn((name: string, options: { handler: ApiHandler }) => registered.set(name, options)) };
    registerCrudFunctions(app as never, widgets, setup().handlers, 'anonymous');

    const onCollection = await registered.get('widgets-collection-method-not-allowed')!.handler(apiRequest('DELETE', '/api/widgets'), invocation());
    expect(onCollection.status).toBe(405);
    expect(onCollection.headers?.Allow).toBe('GET, HEAD, POST');
    const onItem = await registered.get('widgets-item-method-not-allowed')!.handler(apiRequest('POST', '/api/widgets/w1'), invocation());
    expect(onItem.headers?.Allow).toBe('GET, HEAD, PUT, PATCH, DELETE');
    expect(problemOf(onItem).status).toBe(405);
  });
});

describe('mergePatch (RFC 7396)', () => {
  it('follows the examples of the RFC', () => {
    expect(mergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(mergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(mergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(mergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });
});
