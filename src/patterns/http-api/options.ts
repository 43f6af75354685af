import { ValidationError } from '../../exit-codes.js';
import { isWindowsDeviceName, shown } from '../../engine/project-name.js';
import { choiceKey } from '../option-kinds.js';

export const AUTH_MODES = ['none', 'function-key', 'entra-id'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** A resource name: a URL path segment, a table name and (camel-cased) a TypeScript identifier at once. */
const RESOURCE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_RESOURCES = 10;

/**
 * Names that would shadow a route of the app (`health`, `openapi.json`), a path the Functions host keeps for
 * itself (`admin`, `runtime`), a name Table Storage refuses (`tables`), or a JavaScript reserved word (the camel-cased name is used in code).
 */
const RESERVED_NAMES = new Set([
  'health', 'openapi', 'admin', 'runtime', 'tables',
  'arguments', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete',
  'do', 'else', 'enum', 'eval', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements',
  'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public',
  'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'undefined', 'var', 'void',
  'while', 'with', 'yield',
]);

/**
 * What a resource's generated function and test import or declare beside its camel-cased name, which would
 * clash with it: `--resource app` would not compile (`import { app }` twice), nor would `auth` or `crud-handlers`.
 */
const GENERATED_IDENTIFIERS = new Set([
  'app', 'appAuthorizer', 'crudHandlers', 'registerCrudFunctions', 'defineResource', 'nameField', 'textField',
  'beforeEach', 'describe', 'expect', 'apiRequest', 'invocation', 'problemOf', 'httpRegistrationsOf', 'bearer', 'testAuthorizer',
  'openApiDocument', 'queryParametersOf',
  'handlers', 'auth', 'create', 'itemRequest',
]);

/** The OpenAPI document's own component schemas, which no resource's item type may replace. */
const DOCUMENT_SCHEMAS = new Set(['Problem']);

/**
 * The names a resource takes in the OpenAPI document, where another resource's would replace them: its component
 * schemas (`Order`, `OrderPage`…) and the stems of its operation ids (`getOrderHead`, `listOrders`, `listOrdersHead`).
 */
function openApiNames(name: string): string[] {
  const singular = singularPascal(name);
  const plural = pascalCase(name);
  return [...['', 'Input', 'Create', 'Patch', 'Page', 'Head'].map((suffix) => `${singular}${suffix}`), plural, `${plural}Head`];
}

/** `--resource orders,customers` or `["orders", "customers"]` from an answers file or a prompt. */
export function parseResources(input: unknown): string[] {
  const items = (Array.isArray(input) ? input : typeof input === 'string' ? input.split(',') : [input]).map((item) =>
    typeof item === 'string' ? item.trim() : item,
  );
  const names = items.filter((item) => item !== '');
  if (names.length === 0) throw new ValidationError('give at least one resource name, e.g. orders or orders,customers');
  if (names.length > MAX_RESOURCES) throw new ValidationError(`at most ${MAX_RESOURCES} resources; got ${names.length}`);

  const seen = new Map<string, string>();
  // Every name's problem, not only the first one's: a list with two bad names is fixed in one go.
  const problems = names.map((name) => resourceNameProblem(name, seen)).filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new ValidationError(problems.join('; '));
  return names as string[];
}

/** What is wrong with one resource name, given the names taken by those before it (`seen`, which it adds to). */
function resourceNameProblem(name: unknown, seen: Map<string, string>): string | undefined {
  if (typeof name !== 'string') return `resource names are strings; got ${JSON.stringify(name)}`;
  if (tableName(name).length < 3 || name.length > 40 || !RESOURCE_NAME.test(name)) {
    return `resource "${shown(name)}" is not a valid name: use 3–40 lowercase letters, digits and single hyphens, starting with a letter (e.g. orders, order-lines)`;
  }
  if (RESERVED_NAMES.has(name)) return `resource "${name}" is a reserved word; choose another name`;
  // It names the resource's files (src/functions/<name>.ts), which a Windows clone could not hold.
  if (isWindowsDeviceName(name)) return `resource "${name}" is a device name on Windows, where no file can be named ${name}.ts; choose another name`;
  if (GENERATED_IDENTIFIERS.has(camelCase(name))) {
    return `resource "${name}" would be named "${camelCase(name)}" in code, which the generated code already uses; choose another name`;
  }
  if (DOCUMENT_SCHEMAS.has(singularPascal(name))) {
    return `resource "${name}" would name its items "${singularPascal(name)}", as the OpenAPI document names its error responses; choose another name`;
  }
  // `order-lines` and `orderlines` would share a table, `order`/`orders` one TypeScript type name, and
  // `orders`/`order-pages` one OpenAPI schema (OrderPage).
  const keys = new Set([name, tableName(name), ...openApiNames(name)]);
  for (const key of keys) {
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return earlier === name ? `resource "${name}" is listed twice` : `resources "${earlier}" and "${name}" are too similar: they would share the name "${key}"`;
    }
  }
  for (const key of keys) seen.set(key, name);
  return undefined;
}

/** The route prefix in host.json: one URL path segment, `api` by default, or empty for routes at the root. */
export function parseRoutePrefix(input: unknown): string {
  if (typeof input !== 'string') throw new ValidationError('route prefix must be a string, e.g. api');
  // '' or "" typed at the prompt, where an empty answer takes the default, means none as an empty flag does.
  const prefix = /^\s*(''|"")?\s*$/.test(input) ? '' : input.trim();
  if (prefix !== '' && !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(prefix)) {
    throw new ValidationError(
      `route prefix "${shown(input)}" is invalid: one path segment of lowercase letters, digits and single hyphens, starting with a letter, with no slashes or spaces (e.g. api, v1), or empty for none`,
    );
  }
  if (prefix === 'admin' || prefix === 'runtime') throw new ValidationError(`route prefix "${prefix}" is reserved by the Functions host`);
  return prefix;
}

export function parseAuthMode(input: unknown): AuthMode {
  const mode = typeof input === 'string' ? choiceKey(input) : input;
  if (!(AUTH_MODES as readonly unknown[]).includes(mode)) {
    throw new ValidationError(`unknown auth mode ${JSON.stringify(input)}; valid modes: ${AUTH_MODES.join(', ')}`);
  }
  return mode as AuthMode;
}

/**
 * The `aud` claims the API accepts, comma-separated: App ID URIs (`api://…`, `https://…`), which v1.0 tokens carry,
 * and client ids of its app registration, which v2.0 tokens carry. Empty means `api://<tenant id>/<project name>`,
 * set at deployment.
 */
export function parseEntraAudience(input: unknown): string {
  if (typeof input !== 'string') throw new ValidationError('audience must be a string, e.g. api://orders-api');
  const audiences = input
    .split(',')
    .map((audience) => audience.trim())
    .filter((audience) => audience !== '');
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const invalid = audiences.filter((audience) => !guid.test(audience) && !/^(api|https):\/\/[A-Za-z0-9._~:/?#@!$&'()*+;=%-]+$/.test(audience));
  if (invalid.length > 0) {
    throw new ValidationError(
      `${invalid.length > 1 ? 'audiences' : 'audience'} ${invalid.map((audience) => `"${shown(audience)}"`).join(', ')} ${invalid.length > 1 ? 'are' : 'is'} invalid: use App ID URIs (api://… or https://…) or application (client) ids, comma-separated`,
    );
  }
  return [...new Set(audiences)].join(',');
}

/** Names derived from a resource name, e.g. `order-lines`. */
export interface ResourceNames {
  /** `order-lines`: the route segment and the file name. */
  name: string;
  /** `orderLines`: variables and function names. */
  camel: string;
  /** `OrderLine`: the TypeScript and OpenAPI type of one item. */
  singular: string;
  /** `orderlines`: the Table Storage table (letters and digits only). */
  table: string;
  /** Entra ID scopes (or app roles) guarding reads and writes: `order-lines.read`, `order-lines.write`. */
  readScope: string;
  writeScope: string;
}

export function resourceNames(name: string): ResourceNames {
  return { name, camel: camelCase(name), singular: singularPascal(name), table: tableName(name), readScope: `${name}.read`, writeScope: `${name}.write` };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, char: string) => char.toUpperCase());
}

function tableName(name: string): string {
  return name.replace(/-/g, '');
}

function pascalCase(name: string): string {
  return camelCase(name).replace(/^[a-z]/, (char) => char.toUpperCase());
}

/** English plural → singular for the last word: good enough for type names (`categories` → `Category`). */
function singularPascal(name: string): string {
  return pascalCase(name)
    .replace(/ies$/, 'y')
    .replace(/(ss|x|ch|sh)es$/, '$1')
    .replace(/([^su])s$/, '$1');
}
