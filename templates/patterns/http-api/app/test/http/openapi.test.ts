import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import type { HttpRequest } from '@azure/functions';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CRUD_ROUTES, crudHandlers, registerCrudFunctions, routeOf, type CrudOperation } from '../../src/http/crud.js';
import type { ApiHandler } from '../../src/http/handler.js';
import { MAX_BODY_BYTES } from '../../src/http/negotiation.js';
import { apiPath, openApiDocument, resourcePaths, resourceSchemas, ROUTE_PREFIX } from '../../src/http/openapi.js';
import { health } from '../../src/functions/health.js';
import { openapi } from '../../src/functions/openapi.js';
import { RESOURCES } from '../../src/resources/index.js';
import { InMemoryRepository } from '../../src/resources/repository.js';
import { defineResource, nameField, textField } from '../../src/resources/resource.js';
import { invocation, apiRequest } from '../support/http.js';
import { schemaErrors } from '../support/json-schema.js';
import { responseMismatches } from '../support/openapi-conformance.js';
import { httpRegistrationsOf, type HttpRegistration } from '../support/registrations.js';

type Operation = { operationId: string; responses: Record<string, unknown>; security?: Record<string, string[]>[] };
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
};
const document = openApiDocument() as unknown as Document;

/** Every HTTP function the app registers, from loading every function module. */
async function registrations(): Promise<HttpRegistration[]> {
  const functions = new URL('../../src/functions/', import.meta.url);
  const modules = readdirSync(functions).filter((file) => file.endsWith('.ts'));
  const registered: HttpRegistration[] = [];
  for (const module of modules) registered.push(...(await httpRegistrationsOf(new URL(module, functions))));
  return registered;
}

/** Every registered operation, as "METHOD /route": a route added in any file without its OpenAPI description fails. */
async function registeredOperations(): Promise<string[]> {
  return (await registrations()).flatMap(({ options }) => (options.methods ?? ['GET']).map((method) => `${method} /${options.route}`));
}

describe('OpenAPI document', () => {
  it('documents exactly the routes the app registers', async () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual((await registeredOperations()).sort());
  });

  it('asks for a function key, in the x-functions-key header or the code query parameter, exactly where the host requires one', async () => {
    for (const { options } of await registrations()) {
      for (const method of options.methods ?? ['GET']) {
        const operation = document.paths[`/${options.route}`]![method.toLowerCase()]!;
        // Each requirement is an alternative: a key in either place is enough, as the host takes either.
        const keyAlternatives = (operation.security ?? [])
          .map((requirement) => Object.keys(requirement).map((name) => document.components.securitySchemes[name]!))
          .filter((schemes) => schemes.some((scheme) => scheme.type === 'apiKey'))
          .map((schemes) => schemes.map((scheme) => `${scheme.in} ${scheme.name}`).join(' and '));
        const expected = options.authLevel === 'function' ? ['header x-functions-key', 'query code'] : [];
        expect(keyAlternatives.sort(), `${method} /${options.route}`).toEqual(expected);
      }
    }
  });

  it('uses the route prefix of host.json', () => {
    // host.json may carry comments (the host reads it as JSONC), so it is parsed as such.
    const hostJson = parseJsonc(readFileSync(new URL('../../host.json', import.meta.url), 'utf8')) as { extensions: { http: { routePrefix: string } } };
    expect(ROUTE_PREFIX).toBe(hostJson.extensions.http.routePrefix);
  });

  it('is OpenAPI 3.1 with unique operation ids and resolvable references', () => {
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path));
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) expect(Object.keys(operation.responses).length).toBeGreaterThan(0);

    const text = JSON.stringify(document);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = ref!.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
      expect(target, `#/${ref}`).toBeDefined();
    }
  });

  it('describes a PATCH body as a merge patch: any subset of the fields, each may be null', () => {
    const { components } = openApiDocument() as { components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> } };
    for (const resource of RESOURCES) {
      const patch = components.schemas[`${resource.itemName}Patch`]!;
      expect(patch.required ?? []).toEqual([]);
      expect(Object.keys(patch.properties).sort()).toEqual(Object.keys(resource.fields.shape).sort());
      for (const [field, schema] of Object.entries(patch.properties)) expect(JSON.stringify(schema), field).toContain('"type":"null"');
    }
  });

  it('is served at GET /openapi.json', async () => {
    const response = await openapi(apiRequest('GET', apiPath('openapi.json')), invocation());
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual(openApiDocument());
  });
});

describe('OpenAPI responses', () => {
  // A resource of the test's own, so the app's schemas can change freely.
  const widgets = defineResource({
    name: 'widgets',
    itemName: 'Widget',
    table: 'widgets',
    fields: z.strictObject({ name: z.string().min(1) }),
    scopes: { read: 'widgets.read', write: 'widgets.write' },
  });
  const paths = resourcePaths(widgets) as Document['paths'];
  const { components } = openApiDocument() as { components: Record<string, Record<string, unknown>> };
  const root = { components: { ...components, schemas: { ...components.schemas, ...resourceSchemas(widgets) } } };

  /**
   * Calls handlers and records, per documented operation, each status they answer, and how each response departs
   * from the document: an undocumented status, a header the response does not declare, or a body that is not of
   * a declared media type or does not validate against its schema.
   */
  function recorder(documented: Document['paths'] = paths) {
    const answered: string[] = [];
    const mismatches: string[] = [];
    const record = async (handler: ApiHandler, request: HttpRequest, path: string) => {
      const response = await handler(request, invocation());
      const entry = `${request.method.toLowerCase()} ${path} ${response.status}`;
      answered.push(entry);
      const declared = documented[path]?.[request.method.toLowerCase()]?.responses[String(response.status)];
      if (declared !== undefined) mismatches.push(...responseMismatches(response, declared, root).map((mismatch) => `${entry}: ${mismatch}`));
      return response;
    };
    const undocumented = () => [
      ...answered.filter((entry) => {
        const [method, path, status] = entry.split(' ') as [string, string, string];
        return documented[path]?.[method]?.responses[status] === undefined;
      }),
      ...mismatches,
    ];
    return { answered, record, undocumented };
  }

  it('document every status the CRUD handlers answer', async () => {
    const handlers = crudHandlers(widgets, { repository: new InMemoryRepository() });
    const { answered, record, undocumented } = recorder();
    const route = (operation: CrudOperation) => CRUD_ROUTES.find((candidate) => candidate.operation === operation)!;
    const call = (operation: CrudOperation, id: string | undefined, options: { body?: unknown; headers?: Record<string, string>; query?: string } = {}) => {
      const { method, item } = route(operation);
      const url = `${apiPath('widgets')}${id === undefined ? '' : `/${id}`}${options.query ?? ''}`;
      const request = apiRequest(method, url, { body: options.body, headers: options.headers, params: id === undefined ? {} : { id } });
      return record(handlers[operation], request, `/${routeOf(widgets, item)}`);
    };
    const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const json = { 'content-type': 'application/json' };
    const gzip = { ...json, 'content-encoding': 'gzip' };

    const etag = (await call('create', undefined, { body: { id: 'w1', name: 'one' } })).headers!.ETag!;
    await call('create', undefined, { body: { id: 'w1', name: 'again' } });
    await call('create', undefined, { body: { name: 7 } });
    await call('create', undefined, { body: 'name=x', headers: form });
    await call('create', undefined, { body: { name: 'x' }, headers: gzip });
    await call('create', undefined, { body: big, headers: json });
    await call('create', undefined, { body: { name: 'x' }, headers: { accept: 'text/csv' } });
    await call('list', undefined);
    await call('create', undefined, { body: { id: 'w2', name: 'two' } });
    await call('list', undefined, { query: '?limit=1' });
    await call('list', undefined, { query: '?limit=0' });
    await call('list', undefined, { headers: { accept: 'application/xml' } });
    for (const operation of ['get', 'replace', 'update', 'delete'] as const) {
      const body = operation === 'replace' || operation === 'update' ? { name: 'x' } : undefined;
      await call(operation, 'missing', { body });
      await call(operation, 'not%20valid', { body });
    }
    await call('get', 'w1');
    await call('get', 'w1', { headers: { 'if-none-match': etag } });
    await call('get', 'w1', { headers: { 'if-match': '"stale"' } });
    await call('get', 'w1', { headers: { accept: 'text/csv' } });
    for (const headers of [{}, { 'if-none-match': etag }] as Record<string, string>[]) {
      await record(handlers.get, apiRequest('HEAD', apiPath('widgets/w1'), { headers, params: { id: 'w1' } }), '/widgets/{id}');
    }
    await record(handlers.list, apiRequest('HEAD', apiPath('widgets')), '/widgets');
    for (const operation of ['replace', 'update'] as const) {
      await call(operation, 'w1', { body: { name: 'x' }, headers: { 'if-match': '"stale"' } });
      await call(operation, 'w1', { body: { name: 7 } });
      await call(operation, 'w1', { body: 'name=x', headers: form });
      await call(operation, 'w1', { body: { name: 'x' }, headers: gzip });
      await call(operation, 'w1', { body: big, headers: json });
      await call(operation, 'w1', { body: { name: 'x' }, headers: { accept: 'text/csv' } });
      await call(operation, 'w1', { body: { name: 'x' } });
    }
    await call('delete', 'w1', { headers: { 'if-match': '"stale"' } });
    await call('delete', 'w1');

    const failing = new InMemoryRepository<{ name: string }>();
    for (const method of ['list', 'get', 'create', 'replace', 'delete'] as const) {
      failing[method] = async () => {
        throw new Error('storage is down');
      };
    }
    const broken = crudHandlers(widgets, { repository: failing });
    for (const { operation, method, item } of CRUD_ROUTES) {
      const request = apiRequest(method, apiPath(item ? 'widgets/w1' : 'widgets'), { body: method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' }, params: item ? { id: 'w1' } : {} });
      await record(broken[operation], request, `/${routeOf(widgets, item)}`);
    }

    // Every write loses a race with another write landing between its read and its own write.
    const racing = new InMemoryRepository<{ name: string }>();
    await racing.create('w1', { name: 'one' });
    const read = racing.get.bind(racing);
    racing.get = async (id) => {
      const current = await read(id);
      if (current) await racing.replace(id, current.fields, current.etag);
      return current;
    };
    const raced = crudHandlers(widgets, { repository: racing });
    for (const { operation, method } of CRUD_ROUTES.filter((candidate) => candidate.item && candidate.access === 'write')) {
      const body = method === 'DELETE' ? undefined : { name: 'x' };
      const request = apiRequest(method, apiPath('widgets/w1'), { body, headers: { 'if-none-match': '"other"' }, params: { id: 'w1' } });
      await record(raced[operation], request, `/${routeOf(widgets, true)}`);
    }

    expect(new Set(answered.map((entry) => entry.split(' ')[2]))).toEqual(
      new Set(['200', '201', '204', '304', '400', '404', '406', '409', '412', '413', '415', '500']),
    );
    expect(undocumented()).toEqual([]);
  });

  it('document the answers of /health and /openapi.json, to GET and HEAD', async () => {
    const { answered, record, undocumented } = recorder(document.paths);
    for (const method of ['GET', 'HEAD']) {
      await record(health as ApiHandler, apiRequest(method, apiPath('health')), '/health');
      await record(openapi, apiRequest(method, apiPath('openapi.json')), '/openapi.json');
    }

    expect(answered).toHaveLength(4);
    expect(undocumented()).toEqual([]);
  });

  it('document the 405 of every method a path does not offer', async () => {
    const registered = new Map<string, { methods: string[]; route: string; handler: ApiHandler }>();
    const app = { http: vi.fn((name: string, options: { methods: string[]; route: string; handler: ApiHandler }) => registered.set(name, options)) };
    registerCrudFunctions(app as never, widgets, crudHandlers(widgets, { repository: new InMemoryRepository() }), 'anonymous');
    const { answered, record, undocumented } = recorder();

    for (const [name, { methods, route, handler }] of registered) {
      if (!name.endsWith('-method-not-allowed')) continue;
      for (const method of methods) await record(handler, apiRequest(method, apiPath(route.replace('{id}', 'w1'))), `/${route}`);
    }

    expect(answered).toHaveLength(4);
    expect(answered.every((entry) => entry.endsWith(' 405'))).toBe(true);
    expect(undocumented()).toEqual([]);
  });

  it('declare the limits of request bodies that validation enforces: a body at them is taken, one past them refused', async () => {
    const notes = defineResource({
      ...widgets,
      name: 'notes',
      itemName: 'Note',
      fields: z.strictObject({ title: nameField(3), text: textField(3, { multiline: true }).optional() }),
    });
    const schema = resourceSchemas(notes).NoteCreate!;
    const handlers = crudHandlers(notes, { repository: new InMemoryRepository() });
    const create = async (body: unknown) => (await handlers.create(apiRequest('POST', apiPath('notes'), { body }), invocation())).status;
    // Characters outside the Basic Multilingual Plane are one character to JSON Schema's maxLength, two UTF-16 units to
    // JavaScript. Text is trimmed once taken, but maxLength counts what the client sends, spaces around it included.
    const atLimits = [{ title: 'abc' }, { title: '😀😀😀' }, { title: ' 😀 ' }, { title: 'a', text: 'a\nb' }, { title: 'a', text: '🎉🎉🎉' }, { title: 'a', text: '🎉\n ' }, { id: 'n1', title: 'a' }];
    const pastLimits = [
      { title: '' }, { title: 'abcd' }, { title: '😀😀😀😀' }, { title: 'abc ' }, { title: ' 😀😀😀' }, { title: 'a', text: 'abcd' }, { title: 'a', text: '🎉🎉🎉\n' },
      { title: 'a', more: 1 }, { id: 'n 1', title: 'a' },
    ];

    for (const body of atLimits) {
      expect(schemaErrors(schema, body, root), JSON.stringify(body)).toEqual([]);
      expect(await create(body), JSON.stringify(body)).toBe(201);
    }
    for (const body of pastLimits) {
      expect(schemaErrors(schema, body, root), JSON.stringify(body)).not.toEqual([]);
      expect(await create(body), JSON.stringify(body)).toBe(400);
    }
  });

  it('read well whatever the item name: no "a Item" in summaries or messages', async () => {
    const items = defineResource({ ...widgets, name: 'items', itemName: 'Item' });
    const summaries = Object.values(resourcePaths(items)).flatMap((operations) => Object.values(operations).map((operation) => operation.summary));
    const handlers = crudHandlers(items, { repository: new InMemoryRepository() });
    const create = () => handlers.create(apiRequest('POST', apiPath('items'), { body: { id: 'i1', name: 'one' } }), invocation());
    await create();
    const conflict = await create();

    for (const text of [...summaries, conflict.body!]) expect(text).not.toMatch(/\ba [AEIOU]/i);
  });
});
