import type { ApiResponse } from '../../src/http/handler.js';
import { schemaErrors } from './json-schema.js';

/** Headers every response may carry without each operation listing them (OpenAPI ignores a declared Content-Type). */
const UNDECLARED_HEADERS = new Set(['content-type', 'cache-control', 'access-control-expose-headers']);

type DeclaredResponse = { headers?: Record<string, unknown>; content?: Record<string, { schema: Record<string, unknown> }> };

/**
 * How a response departs from the response the OpenAPI document declares for it: a header it does not declare,
 * or a body that is not of a declared media type or does not validate against its schema. `document` holds the
 * components the declaration's `$ref`s point to.
 */
export function responseMismatches(response: ApiResponse, declaredResponse: unknown, document: unknown): string[] {
  const declared = resolved(declaredResponse, document) as DeclaredResponse;
  const declaredHeaders = Object.keys(declared.headers ?? {}).map((name) => name.toLowerCase());
  const headers = Object.keys(response.headers ?? {}).filter((name) => !UNDECLARED_HEADERS.has(name.toLowerCase()) && !declaredHeaders.includes(name.toLowerCase()));
  const mismatches = headers.map((name) => `header ${name} is not declared`);
  if (response.body === undefined && response.jsonBody === undefined) return mismatches;
  const mediaType = response.jsonBody === undefined ? response.headers?.['Content-Type']?.split(';')[0] ?? 'none' : 'application/json';
  const content = declared.content?.[mediaType];
  if (content === undefined) return [...mismatches, `body of type ${mediaType} is not declared`];
  if (!mediaType.endsWith('json')) return mismatches;
  const body: unknown = response.jsonBody ?? JSON.parse(response.body!);
  return [...mismatches, ...schemaErrors(content.schema, body, document).map((error) => `body ${error}`)];
}

function resolved(node: unknown, document: unknown): unknown {
  const ref = (node as { $ref?: string }).$ref;
  return ref === undefined ? node : ref.slice(2).split('/').reduce<unknown>((parent, key) => (parent as Record<string, unknown>)[key], document);
}

type Parameter = { name: string; in: string };
type DeclaredOperation = { parameters?: Parameter[]; security?: Record<string, string[]>[] };

/** The query parameters an operation declares: its own, and those its security schemes read a credential from. */
export function queryParametersOf(document: unknown, path: string, method: string): string[] {
  const { paths, components } = document as { paths: Record<string, Record<string, DeclaredOperation>>; components: { securitySchemes: Record<string, Parameter> } };
  const operation = paths[path]![method]!;
  const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement).map((name) => components.securitySchemes[name]!));
  return [...(operation.parameters ?? []), ...schemes].filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
}
