import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp, type CreateOptions } from '../../../src/commands/create.js';
import { buildPlan } from '../../../src/engine/plan.js';
import { readTree, renderPlan } from '../../../src/engine/render.js';
import { ValidationError } from '../../../src/exit-codes.js';
import { parseAuthMode, parseEntraAudience, parseResources, parseRoutePrefix, resourceNames } from '../../../src/patterns/http-api/options.js';
import type { Logger } from '../../../src/logger.js';
import type { Prompter } from '../../../src/prompts.js';
import { scratchDir } from '../../support/scratch.js';

const plan = (options: Record<string, unknown> = {}) => buildPlan({ name: 'orders-api', location: 'eastus2', patterns: { 'http-api': options } }, '/tmp/orders-api');
const render = (options: Record<string, unknown> = {}) => {
  const tree = renderPlan(plan(options));
  return { paths: tree.paths, read: (path: string) => readTree(tree, path) };
};

describe('--resource', () => {
  it('takes a comma-separated flag or a list, trimmed', () => {
    expect(parseResources('orders, customers')).toEqual(['orders', 'customers']);
    expect(parseResources(['order-lines'])).toEqual(['order-lines']);
  });

  it.each([
    ['Orders', 'not a valid name'],
    ['1orders', 'not a valid name'],
    ['or ders', 'not a valid name'],
    ['orders/{id}', 'not a valid name'],
    ['order--lines', 'not a valid name'],
    ['a-b', 'not a valid name'],
    ['x'.repeat(41), 'not a valid name'],
    ['delete', 'reserved word'],
    ['health', 'reserved word'],
    ['tables', 'reserved word'],
    // Its function would be src/functions/con.ts, which Git for Windows refuses to check out.
    ['con', 'a device name on Windows'],
    ['lpt1', 'a device name on Windows'],
    ['orders,orders', 'listed twice'],
    ['order-lines,orderlines', 'too similar'],
    ['order,orders', 'too similar'],
    ['problems', 'names its error responses'],
    ['orders,order-pages', 'would share the name "OrderPage"'],
    ['orders,order-heads', 'would share the name "OrderHead"'],
    ['orders,orders-head', 'would share the name "OrdersHead"'],
    ['', 'at least one resource'],
    [' , ', 'at least one resource'],
  ])('refuses %j (%s)', (input, message) => {
    expect(() => parseResources(input)).toThrow(ValidationError);
    expect(() => parseResources(input)).toThrow(message);
  });

  it('names every bad name of a list in one message, not only the first', () => {
    expect(() => parseResources('app,orders,problem,Bad')).toThrow(
      /^resource "app" would be named "app" in code.*; resource "problem" would name its items "Problem".*; resource "Bad" is not a valid name/,
    );
  });

  it('refuses every name whose camel case a resource\'s generated code already imports or declares', () => {
    for (const auth of ['none', 'function-key', 'entra-id']) {
      const { read } = render({ resources: 'orders', auth });
      const code = ['src/functions/orders.ts', 'src/resources/orders.ts', 'src/resources/index.ts', 'test/functions/orders.test.ts'].map(read).join('\n');
      const imported = [...code.matchAll(/^import (?:type )?\{([^}]+)\}/gm)].flatMap(([, names]) => names!.split(',').map((name) => name.replace(/^\s*type /, '').trim()));
      // Declared at the top of a module or of the test's describe block, where the resource's import is in scope.
      const declared = [...code.matchAll(/^(?:export )?(?: {2})?(?:const|let) (\w+)/gm)].map(([, name]) => name!);
      const clashing = [...imported, ...declared].filter((identifier) => /^[a-z][a-zA-Z0-9]{2,}$/.test(identifier) && !identifier.startsWith('orders'));
      expect(clashing.length, auth).toBeGreaterThan(10);
      for (const identifier of clashing) {
        const name = identifier.replace(/[A-Z]/g, (char) => `-${char.toLowerCase()}`);
        expect(() => parseResources(name), `${auth}: ${name}`).toThrow(ValidationError);
      }
    }
  });

  it('derives the names code, storage and scopes use', () => {
    expect(resourceNames('order-lines')).toEqual({
      name: 'order-lines',
      camel: 'orderLines',
      singular: 'OrderLine',
      table: 'orderlines',
      readScope: 'order-lines.read',
      writeScope: 'order-lines.write',
    });
    expect(resourceNames('categories').singular).toBe('Category');
    expect(resourceNames('addresses').singular).toBe('Address');
    expect(resourceNames('status').singular).toBe('Status');
  });
});

describe('--route-prefix', () => {
  it('accepts one lowercase segment', () => {
    expect(parseRoutePrefix('api')).toBe('api');
    expect(parseRoutePrefix('v2')).toBe('v2');
    expect(parseRoutePrefix('orders-api')).toBe('orders-api');
  });

  // host.json's own way to serve routes at the root: `"routePrefix": ""`.
  it('accepts an empty prefix for none', () => {
    expect(parseRoutePrefix('')).toBe('');
    expect(parseRoutePrefix('  ')).toBe('');
    // At the prompt, where an empty answer takes the default: what the description says to type.
    expect(parseRoutePrefix("''")).toBe('');
    expect(parseRoutePrefix('""')).toBe('');
  });

  it.each(['api/v1', '/api', 'api/', 'my api', 'API', '2024', 'admin'])('refuses %j', (input) => {
    expect(() => parseRoutePrefix(input)).toThrow(ValidationError);
  });

  it('says what is wrong with slashes and spaces', () => {
    expect(() => parseRoutePrefix('api/v1')).toThrow('no slashes or spaces');
  });
});

describe('--auth and --entra-audience', () => {
  it('knows three modes', () => {
    expect(['none', 'function-key', 'entra-id'].map(parseAuthMode)).toEqual(['none', 'function-key', 'entra-id']);
    expect(() => parseAuthMode('basic')).toThrow('valid modes: none, function-key, entra-id');
  });

  it('accepts App ID URIs and client ids, refuses anything else', () => {
    expect(parseEntraAudience('api://orders-api')).toBe('api://orders-api');
    expect(parseEntraAudience('8f6d3b9b-027b-4f4c-9142-0e5a2a2247e0')).toBe('8f6d3b9b-027b-4f4c-9142-0e5a2a2247e0');
    expect(parseEntraAudience('')).toBe('');
    expect(() => parseEntraAudience('orders api')).toThrow(ValidationError);
  });

  // v1.0 tokens carry the App ID URI, v2.0 tokens the client id: an API that callers reach with both accepts both.
  it('accepts several audiences, comma-separated, and names each one it refuses', () => {
    expect(parseEntraAudience(' api://contoso/orders-api , 8f6d3b9b-027b-4f4c-9142-0e5a2a2247e0 ')).toBe('api://contoso/orders-api,8f6d3b9b-027b-4f4c-9142-0e5a2a2247e0');
    expect(parseEntraAudience('api://orders-api,api://orders-api')).toBe('api://orders-api');
    expect(parseEntraAudience('api://orders-api, ,')).toBe('api://orders-api');
    expect(() => parseEntraAudience('api://orders-api,orders api,x')).toThrow(/^audiences "orders api", "x" are invalid: use App ID URIs/);
  });
});

describe('the generated app', () => {
  it('defaults to one resource behind function keys under /api', () => {
    const { paths, read } = render();
    expect(paths).toEqual(expect.arrayContaining(['src/functions/items.ts', 'src/resources/items.ts', 'test/functions/items.test.ts', 'infra/modules/http-api.bicep']));
    expect(JSON.parse(read('host.json')).extensions.http.routePrefix).toBe('api');
    expect(read('src/functions/items.ts')).toContain("registerCrudFunctions(app, items, itemsHandlers, 'function');");
    expect(paths.some((path) => path.startsWith('src/auth/'))).toBe(false);
    expect(JSON.parse(read('package.json')).dependencies).not.toHaveProperty('jose');
  });

  it('writes one function, resource and test file per resource', () => {
    const { paths, read } = render({ resources: 'orders,order-lines', routePrefix: 'v1' });
    for (const name of ['orders', 'order-lines']) {
      expect(paths).toEqual(expect.arrayContaining([`src/functions/${name}.ts`, `src/resources/${name}.ts`, `test/functions/${name}.test.ts`]));
    }
    expect(read('src/resources/order-lines.ts')).toContain('export const orderLines = defineResource({');
    expect(read('src/resources/index.ts')).toContain('export const RESOURCES: readonly ResourceDefinition[] = [orders, orderLines];');
    expect(read('src/http/openapi.ts')).toContain('export const ROUTE_PREFIX: string = "v1";');
    expect(JSON.parse(read('host.json')).extensions.http.routePrefix).toBe('v1');
  });

  it('composes the Bicep module with the route prefix, table role and availability alert', () => {
    const { read } = render({ routePrefix: 'v1' });
    const main = read('infra/main.bicep');
    expect(main).toContain("module httpApi 'modules/http-api.bicep' = {");
    expect(main).toContain("    routePrefix: 'v1'");
    expect(main).toContain('    functionAppName: functionAppName');
    const module = read('infra/modules/http-api.bicep');
    expect(module).toContain("var healthPath = empty(routePrefix) ? '/health' : '/${routePrefix}/health'");
    expect(module).toContain("RequestUrl: 'https://${functionAppHostName}${healthPath}'");
    expect(module).toContain("'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'");
    // The identity's Table Data Contributor role on the account comes from the base storage module, once.
    expect(module).not.toContain('roleAssignments');
    expect(read('infra/main.bicep')).toContain("id: 'http-server-errors'");
    expect(read('infra/main.bicep')).toContain("id: 'http-p95-duration'");
  });

  it('with an empty route prefix: every route at the root, wherever the app names one', () => {
    const { paths, read } = render({ routePrefix: '' });
    expect(JSON.parse(read('host.json')).extensions.http.routePrefix).toBe('');
    expect(read('src/http/openapi.ts')).toContain('export const ROUTE_PREFIX: string = "";');
    expect(read('test/functions/items.test.ts')).toContain("const BASE = '/items';");
    const readme = read('README.md');
    expect(readme).toContain('curl http://localhost:7071/health');
    expect(readme).toContain('| `GET` | `/items/{id}` |');
    expect(readme).toContain('`GET /openapi.json`');
    expect(readme).toContain("Routes sit at the root (host.json's\n`extensions.http.routePrefix` is empty)");
    expect(render({ routePrefix: 'v1' }).read('README.md')).toContain('Every route is under\n`/v1` (host.json `extensions.http.routePrefix`)');
    // No route anywhere with an empty segment, as "/${prefix}/x" would give.
    for (const path of paths) expect(read(path).replace(/[a-z]+:\/\//g, ''), path).not.toMatch(/(^|[\s'"`(])\/\/[a-z{]/);
    expect(read('infra/main.bicep')).toContain("    routePrefix: ''");
    // The alerts watch the API's requests: with no prefix, every HTTP request but the host's own webhooks.
    const apiAlerts = plan({ routePrefix: '' }).contribution.alerts.filter((alert) => alert.id.startsWith('http-'));
    expect(apiAlerts.map((alert) => alert.id)).toEqual(['http-server-errors', 'http-p95-duration']);
    for (const alert of apiAlerts) {
      expect(alert.query, alert.id).toContain("AppRequests\n| where Url startswith 'http' and Url !contains '/runtime/webhooks/' and Name != \"health\"\n");
    }
    expect(plan({ routePrefix: '' }).contribution.nextSteps.join('\n')).toContain('curl http://localhost:7071/openapi.json');
  });

  // The availability test GETs /health from five regions every five minutes: 15 of the 20 requests in 15 minutes the
  // API alerts wait for, fast and 200, so 5 API requests and 1 error among them paged, and real errors were diluted.
  it('leaves the availability test\'s health probes out of the API alerts, whatever the route prefix', () => {
    for (const routePrefix of ['api', '']) {
      const { read } = render({ routePrefix });
      expect(read('infra/modules/http-api.bicep')).toContain('Frequency: 300');
      const apiAlerts = plan({ routePrefix }).contribution.alerts.filter((alert) => alert.id.startsWith('http-'));
      expect(apiAlerts).toHaveLength(2);
      for (const alert of apiAlerts) {
        expect(alert.query, alert.id).toMatch(/^AppRequests\n\| where [^\n]* and Name != "health"\n/);
        expect(alert.description, alert.id).toContain('health probes left out');
      }
    }
  });

  it('with entra-id: the token validator, jose, and the tenant and audience settings', () => {
    const { paths, read } = render({ auth: 'entra-id' });
    expect(paths).toEqual(expect.arrayContaining(['src/auth/entra-id.ts', 'test/auth/entra-id.test.ts', 'test/support/tokens.ts']));
    expect(JSON.parse(read('package.json')).dependencies).toHaveProperty('jose');
    expect(read('infra/main.bicep')).toContain('ENTRA_TENANT_ID: httpApi.outputs.tenantId');
    expect(read('src/functions/items.ts')).toContain('authorize: appAuthorizer(),');
    expect(plan({ auth: 'entra-id' }).contribution.notices.join('\n')).toContain('items.read, items.write');
  });

  // api://<project name> was the default audience: tenants that restrict identifier URIs refuse an App ID URI
  // without a tenant-unique part, so the README's `az ad app create --identifier-uris` failed there.
  it('with entra-id: the default audience is api://<tenant id>/<project name>, set at deployment; a given one is used as is', () => {
    const byDefault = render({ auth: 'entra-id' });
    expect(byDefault.read('infra/main.bicep')).toContain('ENTRA_API_AUDIENCE: httpApi.outputs.apiAudience');
    expect(byDefault.read('infra/modules/http-api.bicep')).toContain("output apiAudience string = empty(entraAudience) ? format('api://{0}/{1}', tenant().tenantId, 'orders-api') : entraAudience");
    expect(byDefault.read('infra/main.bicep')).toMatch(/module httpApi [^\n]*\{[^}]*entraAudience: ''/);
    expect(JSON.parse(byDefault.read('local.settings.json')).Values.ENTRA_API_AUDIENCE).toBe('api://00000000-0000-0000-0000-000000000000/orders-api');

    const given = render({ auth: 'entra-id', entraAudience: 'api://orders-api' });
    expect(given.read('infra/main.bicep')).toMatch(/module httpApi [^\n]*\{[^}]*entraAudience: 'api:\/\/orders-api'/);
    expect(JSON.parse(given.read('local.settings.json')).Values).toMatchObject({ ENTRA_API_AUDIENCE: 'api://orders-api' });
  });

  it('with none: anonymous routes and a README that says so', () => {
    const { read } = render({ auth: 'none' });
    expect(read('src/functions/items.ts')).toContain("registerCrudFunctions(app, items, itemsHandlers, 'anonymous');");
    expect(read('README.md')).toContain('anyone who can reach the app can read and change the data');
  });
});

describe('bad input through the CLI pipeline', () => {
  const silent: Logger = { info: () => {}, warn: () => {}, show: () => {}, task: async (_label, _work, step) => ({ step, status: 'done' }) };
  const noPrompts = {} as Prompter;

  it.each([
    [{ resources: 'orders,orders' }, '--resource: resource "orders" is listed twice'],
    [{ resources: 'Orders' }, '--resource: resource "Orders" is not a valid name'],
    [{ resources: 'class' }, '--resource: resource "class" is a reserved word'],
    [{ routePrefix: 'api/v1' }, '--route-prefix: route prefix "api/v1" is invalid'],
    [{ routePrefix: 'my api' }, '--route-prefix: route prefix "my api" is invalid'],
    [{ entraAudience: 'api://x' }, 'http-api: --entra-audience applies only with --auth entra-id'],
  ])('%j fails with a clear message and writes nothing', async (patternOptions, message) => {
    const cwd = scratchDir('http-api');
    const options: CreateOptions = {
      directory: 'app',
      pattern: 'http-api',
      patternOptions: { 'http-api': patternOptions },
      yes: true,
      dryRun: false,
      git: false,
      install: false,
      packageManager: 'npm',
    };

    const failure = createApp(options, { interactive: false, prompter: noPrompts, logger: silent, cwd });

    // The CLI turns a ValidationError into one line and exit code 2 (test/cli covers that end).
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toThrow(message);
    expect(existsSync(join(cwd, 'app'))).toBe(false);
  });
});
