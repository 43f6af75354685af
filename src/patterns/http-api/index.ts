import { textOption } from '../option-kinds.js';
import { HEALTH_FUNCTION } from '../../base.js';
import { urlPath } from '../../engine/escape.js';
import { ValidationError } from '../../exit-codes.js';
import { templateFolder } from '../../templates-dir.js';
import { definePattern, emptyContribution, type LogAlert, type TemplateFile } from '../types.js';
import { AUTH_MODES, parseAuthMode, parseEntraAudience, parseResources, parseRoutePrefix, resourceNames, type AuthMode } from './options.js';

type HttpApiOptions = {
  resources: string[];
  routePrefix: string;
  auth: AuthMode;
  entraAudience: string;
};

/**
 * What registerCrudFunctions (src/http/crud.ts of the app) appends to a resource's name: a function per CRUD
 * operation, and one per route answering 405 to the other methods.
 */
const CRUD_FUNCTION_SUFFIXES = ['list', 'create', 'get', 'replace', 'update', 'delete', 'collection-method-not-allowed', 'item-method-not-allowed'];

/** local.settings.json's tenant until the developer sets theirs (README "Authentication"). */
const PLACEHOLDER_TENANT = '00000000-0000-0000-0000-000000000000';

const AUTH_CHOICES: Record<AuthMode, string> = {
  'none': 'none — anonymous (public data only)',
  'function-key': 'function key — callers send x-functions-key (host-managed keys)',
  'entra-id': 'Microsoft Entra ID — bearer tokens checked for issuer, audience, signature, expiry and scope',
};

export const httpApi = definePattern<HttpApiOptions>({
  id: 'http-api',
  title: 'HTTP API',
  summary: 'RESTful endpoints with validation, authentication and problem+json errors.',
  matrix: { useCase: 'RESTful', scalability: 'High', complexity: 'Low' },
  options: {
    resources: {
      flag: '--resource <names>',
      description: 'resources to expose as CRUD endpoints, comma-separated (e.g. orders,customers)',
      defaultValue: ['items'],
      parse: parseResources,
      format: (value) => value.join(','),
      prompt: { kind: 'input' },
    },
    routePrefix: textOption('--route-prefix <segment>', "route prefix of every HTTP function (host.json extensions.http.routePrefix; '' for none)", 'api', parseRoutePrefix),
    auth: {
      flag: '--auth <mode>',
      description: `how callers authenticate: ${AUTH_MODES.join(', ')}`,
      // Secure by default and deployable with nothing to register first; entra-id needs an app registration.
      defaultValue: 'function-key',
      parse: parseAuthMode,
      format: (value) => value,
      prompt: { kind: 'select', choices: AUTH_MODES.map((value) => ({ value, name: AUTH_CHOICES[value] })) },
    },
    entraAudience: {
      ...textOption(
        '--entra-audience <uris>',
        'with --auth entra-id: the token audiences the API accepts, comma-separated App ID URIs or client ids (empty: api://<tenant id>/<project name>)',
        '',
        parseEntraAudience,
      ),
      prompt: { kind: 'input', message: 'the token audiences the API accepts, comma-separated App ID URIs or client ids (empty: api://<tenant id>/<project name>)' },
      askWhen: (earlier) => earlier.auth === 'entra-id',
    },
  },
  validate(options, name) {
    if (options.entraAudience !== '' && options.auth !== 'entra-id') {
      throw new ValidationError(`${name('entraAudience')} applies only with ${name('auth')} entra-id (auth is ${options.auth})`);
    }
  },
  contribute(options, project) {
    const resources = options.resources.map(resourceNames);
    const entraId = options.auth === 'entra-id';
    const data = { resources, entraId };
    // Without --entra-audience, infra/modules/http-api.bicep sets this form with the deployment's tenant id.
    const audienceIn = (tenantId: string) => options.entraAudience || `api://${tenantId}/${project.name}`;
    const perResource = (template: string, path: (name: string) => string): TemplateFile[] =>
      resources.map((resource) => ({ template: `patterns/http-api/${template}`, path: path(resource.name), data: { ...data, resource }, option: 'resources' }));

    return {
      ...emptyContribution(),
      files: [
        ...templateFolder('patterns/http-api/app').map((file) => ({ ...file, data })),
        ...(entraId ? templateFolder('patterns/http-api/entra-id').map((file) => ({ ...file, data })) : []),
        ...perResource('resource/resource.ts.hbs', (name) => `src/resources/${name}.ts`),
        ...perResource('resource/function.ts.hbs', (name) => `src/functions/${name}.ts`),
        ...perResource('resource/function.test.ts.hbs', (name) => `test/functions/${name}.test.ts`),
      ],
      infraModules: [
        {
          symbol: 'httpApi',
          template: 'patterns/http-api/infra/http-api.bicep.hbs',
          path: 'infra/modules/http-api.bicep',
          coreParams: ['location', 'tags', 'functionAppName', 'applicationInsightsName', 'actionGroupName'],
          params: { routePrefix: options.routePrefix, ...(entraId ? { entraAudience: options.entraAudience } : {}) },
          data,
        },
      ],
      appSettings: entraId
        ? [
            {
              name: 'ENTRA_TENANT_ID',
              local: PLACEHOLDER_TENANT,
              cloud: { module: 'httpApi', output: 'tenantId' },
              description: 'Entra ID tenant whose tokens the API accepts (issuer and signing keys)',
            },
            {
              name: 'ENTRA_API_AUDIENCE',
              local: audienceIn(PLACEHOLDER_TENANT),
              cloud: { module: 'httpApi', output: 'apiAudience' },
              description: 'the aud claims the API accepts, comma-separated: its App ID URI (in v1.0 tokens) and client id (in v2.0 tokens)',
            },
          ]
        : [],
      storageNames: resources.map((resource) => ({ kind: 'table', name: resource.table, option: 'resources' })),
      functionNames: [
        { name: 'openapi', durationAlerted: true },
        ...resources.flatMap((resource) => CRUD_FUNCTION_SUFFIXES.map((suffix) => ({ name: `${resource.name}-${suffix}`, option: 'resources', durationAlerted: true }))),
      ],
      hostJson: { extensions: { http: { routePrefix: options.routePrefix } } },
      dependencies: ['zod', '@azure/keyvault-secrets', '@azure/identity', ...(entraId ? (['jose'] as const) : [])],
      // The OpenAPI sync test reads host.json, which may carry comments.
      devDependencies: ['jsonc-parser', 'ajv'],
      alerts: httpAlerts(options.routePrefix),
      features: ['storageClients'],
      readmePartial: 'patterns/http-api/partials/readme.md',
      nextSteps: [`curl http://localhost:7071${urlPath(options.routePrefix, 'openapi.json')}   # the API's OpenAPI document, while the app runs locally`],
      notices: entraId
        ? [
            `--auth entra-id: callers need tokens for audience ${audienceIn('<tenant id>').split(',').join(' or ')} with the scopes (or app roles) ${resources.flatMap((r) => [r.readScope, r.writeScope]).join(', ')}; register them in Entra ID (see README "Authentication").`,
          ]
        : [],
    };
  },
});

/**
 * Log alerts over the API's own requests, measured only with enough traffic: the URLs under the route prefix or,
 * with none, every HTTP request (other triggers' executions have no URL) but the host's own webhooks. The health
 * probes of the availability test (15 in 15 minutes, fast and 200) are left out: they would make up most of the
 * traffic the alerts wait for, and dilute the API's errors and latency.
 */
function httpAlerts(routePrefix: string): LogAlert[] {
  const urls = routePrefix === '' ? "Url startswith 'http' and Url !contains '/runtime/webhooks/'" : `Url contains '${urlPath(routePrefix)}/'`;
  const apiRequests = `AppRequests\n| where ${urls} and Name != "${HEALTH_FUNCTION}"`;
  return [
    {
      id: 'http-server-errors',
      description: `More than 5% of API requests answered 5xx in 15 minutes (evaluated from 20 requests on, health probes left out).`,
      severity: 1,
      query: `${apiRequests}\n| summarize Requests = count(), ServerErrors = countif(toint(ResultCode) >= 500)\n| where Requests >= 20\n| project ServerErrorPercent = 100.0 * ServerErrors / Requests`,
      metricColumn: 'ServerErrorPercent',
      operator: 'GreaterThan',
      threshold: 5,
      windowMinutes: 15,
      frequencyMinutes: 5,
    },
    {
      id: 'http-p95-duration',
      description: `The 95th percentile of API response times is above 2 s over 15 minutes (evaluated from 20 requests on, health probes left out).`,
      severity: 2,
      query: `${apiRequests}\n| summarize Requests = count(), P95DurationMs = percentile(DurationMs, 95)\n| where Requests >= 20\n| project P95DurationMs`,
      metricColumn: 'P95DurationMs',
      operator: 'GreaterThan',
      threshold: 2000,
      windowMinutes: 15,
      frequencyMinutes: 5,
    },
  ];
}
