import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument, ROUTE_PREFIX } from '../../src/http/openapi.js';
import { openapi } from '../../src/functions/openapi.js';
import { invocation, apiRequest } from '../support/http.js';
import { httpRegistrationsOf, type HttpRegistration } from '../support/registrations.js';

type Document = { openapi: string; paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> };
const document = openApiDocument() as unknown as Document;

/**
 * Every HTTP function the app registers, as "METHOD /route", from loading every function module: a route
 * added in any file without its OpenAPI description fails here.
 */
async function registeredOperations(): Promise<string[]> {
  const functions = new URL('../../src/functions/', import.meta.url);
  const modules = readdirSync(functions).filter((file) => file.endsWith('.ts'));
  const registrations: HttpRegistration[] = [];
  for (const module of modules) registrations.push(...(await httpRegistrationsOf(new URL(module, functions))));
  return registrations
    .filter(({ name }) => !name.endsWith('-method-not-allowed'))
    .flatMap(({ options }) => (options.methods ?? ['GET']).map((method) => `${method} /${options.route}`));
}

describe('OpenAPI document', () => {
  it('documents exactly the routes the app registers', async () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual((await registeredOperations()).sort());
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

  it('is served at GET /openapi.json', async () => {
    const response = await openapi(apiRequest('GET', `/${ROUTE_PREFIX}/openapi.json`), invocation());
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual(openApiDocument());
  });
});
