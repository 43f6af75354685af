/**
 * Security rules for compiled ARM templates (the output of `bicep build`), keyed by resource type, after
 * the PSRule for Azure rule names in shared/reference/azure.md. The checker walks nested module
 * deployments and follows `parameters('x')` / `variables('x')` to the literal a module was given, so a
 * rule sees the value Azure would see. A value it cannot resolve to a literal fails the rule: a security
 * setting must be decided in the template, not at deploy time.
 */

type Json = unknown;
type JsonMap = Record<string, Json>;

export interface Violation {
  /** Where the resource is: module path, type and symbolic name (or name expression). */
  resource: string;
  rule: string;
  detail: string;
}

/** Built-in roles the generated infra may assign: data-plane roles and telemetry publishing, nothing broader. */
export const ALLOWED_ROLE_DEFINITIONS: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1': 'Storage Blob Data Reader',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a': 'Storage Queue Data Message Sender',
  '8a0f0c08-91a1-4084-bc3d-661d67233fed': 'Storage Queue Data Message Processor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0': 'Azure Service Bus Data Receiver',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
  'a638d3c7-ab3a-418d-83e6-5f17a39d4fde': 'Azure Event Hubs Data Receiver',
  '2b629674-e913-4c01-ae53-ef4638d8f975': 'Azure Event Hubs Data Sender',
  'd5a91429-5739-47e2-a06b-3470a27159e7': 'EventGrid Data Sender',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  // The developer's, not the app's: on an RBAC vault nobody else may add the secrets the app reads.
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
};

/** Cosmos DB built-in data-plane roles (sqlRoleDefinitions): Data Reader and Data Contributor. */
const ALLOWED_COSMOS_ROLES = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'];

/** Where a resource sits and how its expressions resolve: the template, the values its parent passed. */
interface Scope {
  template: JsonMap;
  /** `properties.parameters` of the deployment that instantiated this template, in the parent's scope. */
  passed: JsonMap;
  parent?: Scope;
  path: string;
}

interface ResourceContext {
  label: string;
  resource: JsonMap;
  scope: Scope;
  /** The property at a dotted path, with parameters and variables resolved at every step. */
  get(path: string): Json;
}

interface Rule {
  id: string;
  /** Returns what is wrong, or undefined when the resource passes. */
  check(resource: ResourceContext): string | undefined;
}

const UNRESOLVED = Symbol('unresolved');

// ---------------------------------------------------------------------------------------------------------
// Rules by resource type (lower case).

const equals = (id: string, path: string, expected: Json): Rule => ({
  id,
  check: (r) => {
    const actual = r.get(path);
    return actual === expected ? undefined : `${path} must be ${JSON.stringify(expected)} (is ${show(actual)})`;
  },
});

const oneOf = (id: string, path: string, allowed: readonly Json[], optional = false): Rule => ({
  id,
  check: (r) => {
    const actual = r.get(path);
    if (optional && actual === undefined) return undefined;
    return allowed.includes(actual) ? undefined : `${path} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')} (is ${show(actual)})`;
  },
});

const forbidden = (id: string, why: string): Rule => ({ id, check: () => why });

const localAuthOff = (id: string, path = 'properties.disableLocalAuth'): Rule => equals(id, path, true);

const RULES: Record<string, Rule[]> = {
  'microsoft.web/sites': [
    equals('Azure.AppService.UseHTTPS', 'properties.httpsOnly', true),
    oneOf('Azure.AppService.MinTLS', 'properties.siteConfig.minTlsVersion', ['1.2', '1.3']),
    equals('Azure.AppService.WebSecureFtp', 'properties.siteConfig.ftpsState', 'Disabled'),
    {
      id: 'Azure.AppService.ManagedIdentity',
      check: (r) => (/assigned/i.test(String(r.get('identity.type') ?? '')) ? undefined : `identity.type must be UserAssigned or SystemAssigned (is ${show(r.get('identity.type'))})`),
    },
    {
      id: 'NoSecretsInAppSettings',
      check: (r) => {
        const settings = r.get('properties.siteConfig.appSettings');
        if (settings === undefined) return undefined;
        if (!Array.isArray(settings)) return `properties.siteConfig.appSettings cannot be resolved (${show(settings)})`;
        return appSettingProblems(Object.fromEntries(settings.map((s) => [String((s as JsonMap).name), (s as JsonMap).value])), r);
      },
    },
  ],
  'microsoft.web/sites/config': [
    {
      id: 'NoSecretsInAppSettings',
      check: (r) => {
        const name = String(r.resource.name);
        if (/connectionstrings/i.test(name)) return 'connection strings are configured on the site; use identity-based settings';
        if (!/appsettings/i.test(name)) return undefined;
        const settings = r.get('properties');
        if (!isMap(settings)) return `the app settings cannot be resolved to literal names (${show(settings)})`;
        return appSettingProblems(settings, r);
      },
    },
  ],
  'microsoft.storage/storageaccounts': [
    equals('Azure.Storage.SecureTransfer', 'properties.supportsHttpsTrafficOnly', true),
    equals('Azure.Storage.BlobPublicAccess', 'properties.allowBlobPublicAccess', false),
    oneOf('Azure.Storage.MinTLS', 'properties.minimumTlsVersion', ['TLS1_2', 'TLS1_3']),
    equals('Azure.Storage.LocalAuth', 'properties.allowSharedKeyAccess', false),
  ],
  'microsoft.storage/storageaccounts/blobservices/containers': [oneOf('Azure.Storage.ContainerPublicAccess', 'properties.publicAccess', ['None'], true)],
  'microsoft.keyvault/vaults': [
    equals('Azure.KeyVault.RBAC', 'properties.enableRbacAuthorization', true),
    oneOf('Azure.KeyVault.SoftDelete', 'properties.enableSoftDelete', [true], true),
    equals('Azure.KeyVault.PurgeProtect', 'properties.enablePurgeProtection', true),
  ],
  'microsoft.insights/components': [
    equals('Azure.AppInsights.LocalAuth', 'properties.DisableLocalAuth', true),
    {
      id: 'Azure.AppInsights.Workspace',
      check: (r) => (r.get('properties.WorkspaceResourceId') ? undefined : 'properties.WorkspaceResourceId must name a Log Analytics workspace'),
    },
  ],
  'microsoft.servicebus/namespaces': [localAuthOff('Azure.ServiceBus.DisableLocalAuth'), oneOf('Azure.ServiceBus.MinTLS', 'properties.minimumTlsVersion', ['1.2', '1.3'])],
  'microsoft.eventhub/namespaces': [localAuthOff('Azure.EventHub.DisableLocalAuth'), oneOf('Azure.EventHub.MinTLS', 'properties.minimumTlsVersion', ['1.2', '1.3'])],
  'microsoft.eventgrid/topics': [localAuthOff('Azure.EventGrid.DisableLocalAuth')],
  'microsoft.eventgrid/domains': [localAuthOff('Azure.EventGrid.DisableLocalAuth')],
  'microsoft.eventgrid/namespaces': [localAuthOff('Azure.EventGrid.DisableLocalAuth')],
  'microsoft.documentdb/databaseaccounts': [
    localAuthOff('Azure.Cosmos.DisableLocalAuth'),
    oneOf('Azure.Cosmos.MinTLS', 'properties.minimalTlsVersion', ['Tls12', 'Tls13'], true),
  ],
  'microsoft.authorization/roleassignments': [
    {
      id: 'RoleAssignment.SingleResourceScope',
      check: (r) => {
        const scope = r.resource.scope;
        if (typeof scope !== 'string') return `no scope: the role applies to the whole ${r.scope.parent ? 'resource group' : 'deployment scope'}; scope it to the one resource it needs`;
        return /^\[(resourceGroup|subscription)\(\)\.id\]$/i.test(scope) ? `scope ${scope} is broader than a single resource` : undefined;
      },
    },
    {
      id: 'RoleAssignment.LeastPrivilege',
      check: (r) => {
        const roles = guidsIn(r.resource.properties && (r.resource.properties as JsonMap).roleDefinitionId, r.scope);
        if (roles.length === 0) return `properties.roleDefinitionId cannot be resolved to a role id (${show((r.resource.properties as JsonMap | undefined)?.roleDefinitionId)})`;
        const denied = roles.filter((role) => !(role in ALLOWED_ROLE_DEFINITIONS));
        return denied.length > 0 ? `role ${denied.join(', ')} is not in the least-privilege allow-list (test/support/arm-security.ts)` : undefined;
      },
    },
  ],
  'microsoft.documentdb/databaseaccounts/sqlroleassignments': [
    {
      id: 'RoleAssignment.LeastPrivilege',
      check: (r) => {
        const role = show(r.get('properties.roleDefinitionId'));
        return ALLOWED_COSMOS_ROLES.some((id) => role.includes(id)) ? undefined : `Cosmos DB role ${role} is not a built-in data reader/contributor role`;
      },
    },
  ],
  // Shared access policies mint keys that bypass Entra ID: identity-based access has no use for them.
  'microsoft.servicebus/namespaces/authorizationrules': [forbidden('NoSharedAccessKeys', 'shared access policy on the namespace')],
  'microsoft.servicebus/namespaces/queues/authorizationrules': [forbidden('NoSharedAccessKeys', 'shared access policy on a queue')],
  'microsoft.servicebus/namespaces/topics/authorizationrules': [forbidden('NoSharedAccessKeys', 'shared access policy on a topic')],
  'microsoft.eventhub/namespaces/authorizationrules': [forbidden('NoSharedAccessKeys', 'shared access policy on the namespace')],
  'microsoft.eventhub/namespaces/eventhubs/authorizationrules': [forbidden('NoSharedAccessKeys', 'shared access policy on an event hub')],
};

/** Every rule id the checker can report, so other rule lists (ps-rule.yaml) can be held to it. */
export const CHECKED_RULES: ReadonlySet<string> = new Set([
  ...Object.values(RULES).flatMap((rules) => rules.map((rule) => rule.id)),
  'Azure.Deployment.SecureParameter',
  'Azure.Deployment.OutputSecretValue',
]);

// Functions that read keys or secrets of a resource into the deployment (and often into its history).
const KEY_READING_CALL = /\blist(Keys|ConnectionStrings|AccountSas|ServiceSas|Secrets|Credentials?|KeyValue)\s*\(/i;
// Literal credentials: storage/Service Bus connection strings, SAS signatures, passwords, PEM keys.
const SECRET_LITERAL = /(AccountKey=|SharedAccessKey=|SharedAccessSignature=|[?&]sig=|password=|-----BEGIN [A-Z ]*PRIVATE KEY)/i;
const SECRET_NAME = /(password|passwd|secret|connectionstring|accountkey|apikey|accesskey|sharedaccesskey|sastoken|webhook|primarykey|secondarykey)/i;
// Names that mention a secret but hold no secret value: a Key Vault secret's name, an id, a count.
const NON_SECRET_NAME_SUFFIX = /(name|names|id|ids|uri|count|enabled)$/i;
/** App Insights connection strings identify the resource; with local auth off they grant nothing. */
const NON_SECRET_SETTINGS = new Set(['APPLICATIONINSIGHTS_CONNECTION_STRING']);

function appSettingProblems(settings: JsonMap, r: ResourceContext): string | undefined {
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(settings)) {
    const value = resolve(raw, r.scope);
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    const keyVaultReference = /^@Microsoft\.KeyVault\(/.test(text);
    if (KEY_READING_CALL.test(text) || SECRET_LITERAL.test(text)) problems.push(`${name} carries a key or secret`);
    else if (!keyVaultReference && !NON_SECRET_SETTINGS.has(name) && (name === 'AzureWebJobsStorage' || /(_key$|connection_?string|password|secret)/i.test(name))) {
      problems.push(`${name} looks like a secret; use identity-based settings (__serviceUri, __credential) or a Key Vault reference`);
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The walk.

/** Every violation in a compiled template and the templates of its nested deployments. */
export function checkArmTemplate(template: JsonMap): Violation[] {
  const violations: Violation[] = [];
  walk({ template, passed: {}, path: 'main' }, violations);
  return violations;
}

function walk(scope: Scope, violations: Violation[]): void {
  const { template } = scope;
  checkParameters(scope, violations);
  checkOutputs(scope, violations);

  for (const [symbol, resource] of resourcesOf(template)) {
    if (resource.existing === true) continue;
    const type = String(resource.type ?? '');
    const label = `${scope.path} › ${type} ${symbol ?? show(resource.name)}`;
    if (type.toLowerCase() === 'microsoft.resources/deployments') {
      const properties = (resource.properties ?? {}) as JsonMap;
      const nested = properties.template as JsonMap | undefined;
      const given = JSON.stringify(properties.parameters ?? {});
      if (KEY_READING_CALL.test(given) || SECRET_LITERAL.test(given)) {
        violations.push({ resource: label, rule: 'NoSecretsInModuleParameters', detail: 'a key or literal credential is passed to the module' });
      }
      if (nested) walk({ template: nested, passed: (properties.parameters ?? {}) as JsonMap, parent: scope, path: `${scope.path}/${symbol ?? show(resource.name)}` }, violations);
      continue;
    }
    const context: ResourceContext = { label, resource, scope, get: (path) => getPath(resource, path, scope) };
    for (const rule of RULES[type.toLowerCase()] ?? []) {
      const detail = rule.check(context);
      if (detail) violations.push({ resource: label, rule: rule.id, detail });
    }
    const readsKeys = JSON.stringify(resource).match(KEY_READING_CALL);
    if (readsKeys) violations.push({ resource: label, rule: 'NoKeysInDeployment', detail: `calls ${readsKeys[0]}…) : keys and secrets must not flow through the deployment` });
    if (SECRET_LITERAL.test(JSON.stringify(resource))) violations.push({ resource: label, rule: 'NoSecretLiterals', detail: 'a property holds a literal credential' });
  }
}

function checkParameters(scope: Scope, violations: Violation[]): void {
  for (const [name, definition] of Object.entries((scope.template.parameters ?? {}) as Record<string, JsonMap>)) {
    const type = String(definition.type ?? '').toLowerCase();
    if ((looksSecret(name) || psRuleSensitiveParameter(name, type)) && type !== 'securestring' && type !== 'secureobject') {
      violations.push({ resource: `${scope.path} › parameter ${name}`, rule: 'Azure.Deployment.SecureParameter', detail: 'a secret-looking parameter must be @secure()' });
    }
  }
}

function checkOutputs(scope: Scope, violations: Violation[]): void {
  for (const [name, definition] of Object.entries((scope.template.outputs ?? {}) as Record<string, JsonMap>)) {
    const type = String(definition.type ?? '').toLowerCase();
    if (type === 'securestring' || type === 'secureobject') continue;
    const value = JSON.stringify(definition.value ?? null);
    const leaks = KEY_READING_CALL.test(value) || SECRET_LITERAL.test(value) || (looksSecret(name) && !/connectionstring/i.test(name));
    if (leaks) violations.push({ resource: `${scope.path} › output ${name}`, rule: 'Azure.Deployment.OutputSecretValue', detail: 'outputs are stored in the deployment history in clear text' });
  }
}

// PSRule for Azure's own heuristic for Azure.Deployment.SecureParameter (GetSecureParameter in
// src/PSRule.Rules.Azure/rules/Azure.Deployment.Rule.ps1), which CI runs on every nested deployment: a name
// containing password, secret or token, or ending in key or keys, unless one of these patterns excuses it.
const PSRULE_SENSITIVE_PARAMETER = ['*password*', '*secret*', '*token*', '*key', '*keys'];
const PSRULE_NON_SENSITIVE_PARAMETER = [
  '*name', '*uri', '*url', '*path', '*type', '*id', '*options', '*publickey', '*publickeys', '*secretname*', '*secreturl*',
  '*secreturi*', '*secrettype*', '*secretrotation*', '*tokenname*', '*tokentype*', '*interval*', '*length*', '*secretprovider*',
  '*secretsprovider*', '*secretref*', '*secretid*', '*disablepassword*', '*sync*passwords*', '*keyvaultpath*', '*keyvaultname*',
  '*keyvaulturi*', 'customermanagedkey',
];

/** PowerShell's case-insensitive -like; the patterns above hold only letters and `*`. */
function likeAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => new RegExp(`^${pattern.replaceAll('*', '.*')}$`, 'i').test(name));
}

function psRuleSensitiveParameter(name: string, type: string): boolean {
  return likeAny(name, PSRULE_SENSITIVE_PARAMETER) && !likeAny(name, PSRULE_NON_SENSITIVE_PARAMETER) && type !== 'bool' && type !== 'int';
}

function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name) && !NON_SECRET_NAME_SUFFIX.test(name);
}

/** Resources as [symbolic name, resource]: an object in languageVersion 2.0 templates, an array before. */
function resourcesOf(template: JsonMap): [string | undefined, JsonMap][] {
  const resources = template.resources;
  if (Array.isArray(resources)) return resources.map((resource) => [undefined, resource as JsonMap]);
  if (isMap(resources)) return Object.entries(resources).map(([symbol, resource]) => [symbol, resource as JsonMap]);
  return [];
}

// ---------------------------------------------------------------------------------------------------------
// Expression resolution: enough of ARM to follow the values Bicep passes between modules.

const WHOLE_PARAMETER = /^\[parameters\('([^']+)'\)\]$/;
const WHOLE_VARIABLE = /^\[variables\('([^']+)'\)\]$/;

/** Follows `[parameters('x')]` and `[variables('x')]` to what they stand for; other values unchanged. */
function resolve(value: Json, scope: Scope, depth = 0): Json {
  if (typeof value !== 'string' || depth > 20) return value;
  const parameter = WHOLE_PARAMETER.exec(value)?.[1];
  if (parameter) {
    const passed = scope.passed[parameter] as JsonMap | undefined;
    if (passed && 'value' in passed) return scope.parent ? resolve(passed.value, scope.parent, depth + 1) : passed.value;
    const definition = (scope.template.parameters as Record<string, JsonMap> | undefined)?.[parameter];
    return definition && 'defaultValue' in definition ? resolve(definition.defaultValue, scope, depth + 1) : value;
  }
  const variable = WHOLE_VARIABLE.exec(value)?.[1];
  if (variable) {
    const variables = (scope.template.variables ?? {}) as JsonMap;
    return variable in variables ? resolve(variables[variable], scope, depth + 1) : value;
  }
  return value;
}

function getPath(resource: JsonMap, path: string, scope: Scope): Json {
  let current: Json = resource;
  for (const key of path.split('.')) {
    current = resolve(current, scope);
    if (!isMap(current)) return current === undefined || typeof current !== 'string' ? undefined : UNRESOLVED;
    current = current[key];
  }
  return resolve(current, scope);
}

/** Role ids an expression can evaluate to: GUIDs in it and in the variables/parameters it references. */
function guidsIn(expression: Json, scope: Scope): string[] {
  const text = typeof expression === 'string' ? expression : JSON.stringify(expression ?? '');
  const found = new Set(text.match(GUID) ?? []);
  for (const match of text.matchAll(/\b(variables|parameters)\('([^']+)'\)/g)) {
    const resolved = resolve(`[${match[1]}('${match[2]}')]`, scope);
    if (typeof resolved === 'string' && resolved.startsWith('[')) {
      if (resolved !== `[${match[1]}('${match[2]}')]`) guidsIn(resolved, scope).forEach((guid) => found.add(guid));
      continue;
    }
    for (const guid of JSON.stringify(resolved ?? '').match(GUID) ?? []) found.add(guid);
  }
  return [...found].map((guid) => guid.toLowerCase());
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function isMap(value: Json): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: Json): string {
  if (value === UNRESOLVED) return 'an unresolved expression';
  return value === undefined ? 'unset' : JSON.stringify(value);
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.resource}: ${v.rule} — ${v.detail}`).join('\n');
}
