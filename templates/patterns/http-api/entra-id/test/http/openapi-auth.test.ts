import { describe, expect, it } from 'vitest';
import { CRUD_ROUTES, crudHandlers, routeOf } from '../../src/http/crud.js';
import { apiPath, openApiDocument } from '../../src/http/openapi.js';
import { RESOURCES } from '../../src/resources/index.js';
import { InMemoryRepository } from '../../src/resources/repository.js';
import { apiRequest, invocation, problemOf } from '../support/http.js';
import { queryParametersOf, responseMismatches } from '../support/openapi-conformance.js';
import { bearer, testAuthorizer } from '../support/tokens.js';

type Operation = { security: Record<string, string[]>[]; responses: Record<string, unknown> };
const document = openApiDocument() as { paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document under Entra ID', () => {
  it('declares for every operation the scope its handler demands, and the 401 and 403 it answers without it', async () => {
    const authorize = await testAuthorizer();
    for (const resource of RESOURCES) {
      const demanded: string[] = [];
      const handlers = crudHandlers(resource, {
        repository: new InMemoryRepository(),
        authorize: (request, scope) => {
          demanded.push(scope);
          return authorize(request, scope);
        },
      });
      for (const { operation, method, item } of CRUD_ROUTES) {
        const path = `/${routeOf(resource, item)}`;
        const declared = document.paths[path]![method.toLowerCase()]!;
        const url = apiPath(item ? `${resource.name}/i1` : resource.name);
        const params: Record<string, string> = item ? { id: 'i1' } : {};
        const withoutToken = await handlers[operation](apiRequest(method, url, { params }), invocation());
        const withoutScope = await handlers[operation](apiRequest(method, url, { params, headers: { authorization: await bearer({ scp: 'other.scope' }) } }), invocation());

        expect(declared.security, `${method} ${path}`).toEqual([{ entraId: [demanded.at(-1)] }]);
        for (const response of [withoutToken, withoutScope]) {
          expect(Object.keys(declared.responses), `${method} ${path}`).toContain(String(response.status));
          expect(responseMismatches(response, declared.responses[String(response.status)], document), `${method} ${path}`).toEqual([]);
        }
        expect([withoutToken.status, withoutScope.status]).toEqual([401, 403]);
      }
    }
  });

  it('declares no query parameter for the function key, which the list then refuses as it refuses any other', async () => {
    const authorize = await testAuthorizer();
    for (const resource of RESOURCES) {
      const handlers = crudHandlers(resource, { repository: new InMemoryRepository(), authorize });
      const reader = { authorization: await bearer({ scp: resource.scopes.read }) };

      const response = await handlers.list(apiRequest('GET', `${apiPath(resource.name)}?code=key`, { headers: reader }), invocation());

      expect(queryParametersOf(document, `/${resource.name}`, 'get')).not.toContain('code');
      expect(response.status).toBe(400);
      expect(problemOf(response).errors).toEqual([expect.objectContaining({ parameter: 'code' })]);
    }
  });
});
