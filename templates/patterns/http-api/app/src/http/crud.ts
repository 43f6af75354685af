import { randomUUID } from 'node:crypto';
import type { app as functionsApp, HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { createSchema, itemId, type ResourceDefinition } from '../resources/resource.js';
import { RepositoryError, type Repository, type StoredItem } from '../resources/repository.js';
import { ifMatchHolds, ifNoneMatchHolds } from './conditional.js';
import { toCsv } from './csv.js';
import { httpHandler, type ApiHandler, type ApiResponse } from './handler.js';
import { negotiate, readJsonBody } from './negotiation.js';
import { HttpError, type FieldError } from './problem.js';

/** Checks the caller may use `scope`; throws HttpError 401 or 403 otherwise. */
export type Authorizer = (request: HttpRequest, scope: string) => Promise<void>;

export type CrudOperation = 'list' | 'create' | 'get' | 'replace' | 'update' | 'delete';

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type HttpMethod = (typeof ALL_METHODS)[number];

/** The routes of every resource: one function per operation, so each has its own method binding and metrics. */
export const CRUD_ROUTES: readonly { operation: CrudOperation; method: HttpMethod; item: boolean; access: 'read' | 'write' }[] = [
  { operation: 'list', method: 'GET', item: false, access: 'read' },
  { operation: 'create', method: 'POST', item: false, access: 'write' },
  { operation: 'get', method: 'GET', item: true, access: 'read' },
  { operation: 'replace', method: 'PUT', item: true, access: 'write' },
  { operation: 'update', method: 'PATCH', item: true, access: 'write' },
  { operation: 'delete', method: 'DELETE', item: true, access: 'write' },
];

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv';
const MERGE_PATCH_TYPE = 'application/merge-patch+json';

export function routeOf(resource: ResourceDefinition, item: boolean): string {
  return item ? `${resource.name}/{id}` : resource.name;
}

export interface CrudDependencies<Fields> {
  repository: Repository<Fields>;
  /** Absent when the platform authenticates callers (function keys) or the API is public. */
  authorize?: Authorizer;
  /**
   * The host checks a function key on these routes, which a caller may send as the `code` query parameter: the list
   * then takes `code` beside its own parameters, as the OpenAPI document declares. Elsewhere `code` is refused like
   * any other parameter the list does not take.
   */
  functionKeys?: boolean;
}

/** The six handlers of a resource, each wrapped so failures become problem+json responses. */
export function crudHandlers<Schema extends z.ZodObject>(
  resource: ResourceDefinition<Schema>,
  { repository, authorize, functionKeys = false }: CrudDependencies<z.infer<Schema>>,
): Record<CrudOperation, ApiHandler> {
  type Fields = z.infer<Schema>;
  const allow = async (request: HttpRequest, access: 'read' | 'write') => authorize?.(request, resource.scopes[access]);
  const columns = ['id', ...Object.keys(resource.fields.shape), 'createdAt', 'updatedAt'];

  const handlers: Record<CrudOperation, ApiHandler> = {
    async list(request) {
      await allow(request, 'read');
      const mediaType = negotiate(request, [JSON_TYPE, CSV_TYPE]);
      refuseUnknownParameters(request, functionKeys ? [...LIST_PARAMETERS, FUNCTION_KEY_PARAMETER] : LIST_PARAMETERS);
      const limit = pageSize(singleParameter(request, 'limit'));
      const cursor = singleParameter(request, 'cursor') ?? undefined;
      const page = await repository.list(limit, cursor);
      const items = page.items.map(representation);
      // JSON or CSV by Accept alone: a cache must key on it (RFC 9110 §12.5.5), or serve one to a caller asking for the other.
      const headers: Record<string, string> = { Vary: 'Accept' };
      if (page.nextCursor !== undefined) {
        const next = new URL(request.url);
        next.searchParams.set('limit', String(limit));
        next.searchParams.set('cursor', page.nextCursor);
        headers.Link = `<${next.pathname}${next.search}>; rel="next"`;
      }
      if (mediaType === CSV_TYPE) return { status: 200, headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8' }, body: toCsv(columns, items) };
      return { status: 200, headers, jsonBody: page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor } };
    },

    async create(request) {
      await allow(request, 'write');
      negotiate(request, [JSON_TYPE]);
      const { id, ...fields } = validate(createSchema(resource), await readJsonBody(request)) as { id?: string };
      const item = await repository.create(id ?? randomUUID(), fields as Fields);
      const location = `${new URL(request.url).pathname.replace(/\/$/, '')}/${encodeURIComponent(item.id)}`;
      return itemResponse(item, 201, { Location: location });
    },

    async get(request) {
      await allow(request, 'read');
      negotiate(request, [JSON_TYPE]);
      const item = await existing(request);
      checkIfMatch(request, item);
      const ifNoneMatch = request.headers.get('if-none-match');
      // The caller's copy is current: no body, only the validator it can keep using.
      if (ifNoneMatch !== null && !ifNoneMatchHolds(ifNoneMatch, item.etag)) return { status: 304, headers: { ETag: item.etag } };
      return itemResponse(item);
    },

    async replace(request) {
      await allow(request, 'write');
      negotiate(request, [JSON_TYPE]);
      const current = await existing(request);
      checkPreconditions(request, current);
      const fields = validate(resource.fields, await readJsonBody(request)) as Fields;
      return itemResponse(await save(request, current, fields));
    },

    async update(request) {
      await allow(request, 'write');
      negotiate(request, [JSON_TYPE]);
      const current = await existing(request);
      checkPreconditions(request, current);
      const patch = await readJsonBody(request, [MERGE_PATCH_TYPE, JSON_TYPE]);
      if (!isObject(patch)) throw new HttpError(400, 'A merge patch must be a JSON object.');
      // RFC 7396: apply the patch, then validate the whole result, so a patch cannot leave an invalid item.
      const fields = validate(resource.fields, mergePatch(current.fields, patch)) as Fields;
      return itemResponse(await save(request, current, fields));
    },

    async delete(request) {
      await allow(request, 'write');
      if (request.headers.get('if-match') === null && request.headers.get('if-none-match') === null) {
        await repository.delete(pathId(request));
      } else {
        const current = await existing(request);
        checkPreconditions(request, current);
        await overVersionRead(request, () => repository.delete(current.id, current.etag));
      }
      return { status: 204 };
    },
  };

  return Object.fromEntries(
    Object.entries(handlers).map(([operation, handler]) => [operation, httpHandler(withRepositoryErrors(handler))]),
  ) as Record<CrudOperation, ApiHandler>;

  function representation(item: StoredItem<Fields>): Record<string, unknown> {
    return { id: item.id, ...item.fields, createdAt: item.createdAt, updatedAt: item.updatedAt };
  }

  function itemResponse(item: StoredItem<Fields>, status = 200, headers: Record<string, string> = {}): ApiResponse {
    return { status, headers: { ...headers, ETag: item.etag }, jsonBody: representation(item) };
  }

  async function existing(request: HttpRequest): Promise<StoredItem<Fields>> {
    const id = pathId(request);
    const item = await repository.get(id);
    if (!item) throw new HttpError(404, `There is no ${resource.itemName} with id "${id}".`);
    return item;
  }

  /**
   * 412 unless If-Match, when sent, names the current version and If-None-Match, when sent, does not (`*` names
   * any): a write the caller meant for another version changes nothing (RFC 9110 §13.2.2). Checked before the body
   * is read: §13.2.1 lets only failures found before the content is processed (404, 400 for the id) take precedence.
   */
  function checkPreconditions(request: HttpRequest, current: StoredItem<Fields>): void {
    checkIfMatch(request, current);
    const ifNoneMatch = request.headers.get('if-none-match');
    if (ifNoneMatch !== null && !ifNoneMatchHolds(ifNoneMatch, current.etag)) {
      throw new HttpError(412, `The ${resource.itemName} exists in a version If-None-Match names; nothing was changed.`);
    }
  }

  /** 412 unless If-Match, when sent, names the current version: evaluated first, on a read as on a write (RFC 9110 §13.2.2). */
  function checkIfMatch(request: HttpRequest, current: StoredItem<Fields>): void {
    const ifMatch = request.headers.get('if-match');
    if (ifMatch !== null && !ifMatchHolds(ifMatch, current.etag)) throw preconditionFailed();
  }

  function save(request: HttpRequest, current: StoredItem<Fields>, fields: Fields): Promise<StoredItem<Fields>> {
    return overVersionRead(request, () => repository.replace(current.id, fields, current.etag));
  }

  /**
   * Runs a write conditional on the version just read, so a write landing in between is caught: a 412 when the
   * caller sent If-Match (its version is no longer current), else a 409 (nothing the caller did; retrying is safe).
   */
  async function overVersionRead<Result>(request: HttpRequest, write: () => Promise<Result>): Promise<Result> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof RepositoryError && error.kind === 'etag-mismatch' && request.headers.get('if-match') === null) {
        throw new HttpError(409, `The ${resource.itemName} changed while this request was processed; retry it.`);
      }
      throw error;
    }
  }

  function preconditionFailed(): HttpError {
    return new HttpError(412, `The ${resource.itemName} has changed since the version in If-Match; fetch it again.`);
  }

  function withRepositoryErrors(handler: ApiHandler): ApiHandler {
    return async (request, context) => {
      try {
        return await handler(request, context);
      } catch (error) {
        if (!(error instanceof RepositoryError)) throw error;
        switch (error.kind) {
          case 'exists':
            throw new HttpError(409, `Another ${resource.itemName} already has this id.`);
          case 'not-found':
            throw new HttpError(404, `There is no ${resource.itemName} with id "${pathId(request)}".`);
          case 'etag-mismatch':
            throw preconditionFailed();
          case 'invalid-cursor':
            throw new HttpError(400, 'Invalid query parameters.', {
              errors: [{ parameter: 'cursor', detail: 'not a cursor this API issued; start again without it' }],
            });
          case 'too-large':
            throw new HttpError(413, `The ${resource.itemName} would be larger than the store holds; send less data.`);
        }
      }
    };
  }
}

/**
 * Registers the resource's functions: one per operation, plus one per route answering 405 (with `Allow`)
 * for the methods the route does not offer, rather than the platform's bare 404.
 */
export function registerCrudFunctions(
  app: typeof functionsApp,
  resource: ResourceDefinition,
  handlers: Record<CrudOperation, ApiHandler>,
  authLevel: 'anonymous' | 'function',
): void {
  for (const { operation, method, item } of CRUD_ROUTES) {
    app.http(`${resource.name}-${operation}`, { methods: withHead([method]), authLevel, route: routeOf(resource, item), handler: handlers[operation] });
  }
  for (const item of [false, true]) {
    const offered = offeredMethods(item);
    app.http(`${resource.name}-${item ? 'item' : 'collection'}-method-not-allowed`, {
      methods: unsupportedMethods(item),
      authLevel,
      route: routeOf(resource, item),
      handler: httpHandler(async (request) => {
        throw new HttpError(405, `${request.method} is not supported here; use ${offered.join(', ')}.`, { headers: { Allow: offered.join(', ') } });
      }),
    });
  }
}

/** Every GET also answers HEAD (RFC 9110 §9.1): the same status and headers, without the body (see httpHandler). */
function withHead<Method extends string>(methods: Method[]): (Method | 'HEAD')[] {
  return methods.flatMap((method) => (method === 'GET' ? [method, 'HEAD' as const] : [method]));
}

/** The methods the collection (`item` false) or item route offers, as its 405 answers list them in Allow. */
export function offeredMethods(item: boolean): (HttpMethod | 'HEAD')[] {
  return withHead(CRUD_ROUTES.filter((route) => route.item === item).map((route) => route.method));
}

/** The methods a route answers with 405. */
export function unsupportedMethods(item: boolean): HttpMethod[] {
  const offered: string[] = offeredMethods(item);
  return ALL_METHODS.filter((method) => !offered.includes(method));
}

const LIST_PARAMETERS = ['limit', 'cursor'];
/** Where the Functions host also takes the function key from. */
const FUNCTION_KEY_PARAMETER = 'code';

/**
 * 400 naming every other query parameter: the list has no filter or sort, and ignoring `?status=open`, `?sort=name`
 * or a misspelt `lmit` would answer with every item, in store order, as if it were what the caller asked for.
 */
function refuseUnknownParameters(request: HttpRequest, taken: readonly string[]): void {
  const unknown = [...new Set(request.query.keys())].filter((name) => !taken.includes(name));
  if (unknown.length > 0) {
    const errors = unknown.map((parameter) => ({ parameter, detail: 'not a parameter of this list, which takes limit and cursor only' }));
    throw new HttpError(400, 'Invalid query parameters.', { errors });
  }
}

/** The parameter's value, null when absent; 400 when it is given more than once, as taking either would be a guess. */
function singleParameter(request: HttpRequest, name: string): string | null {
  const values = request.query.getAll(name);
  if (values.length > 1) throw new HttpError(400, 'Invalid query parameters.', { errors: [{ parameter: name, detail: 'given more than once; give it once' }] });
  return values[0] ?? null;
}

function pageSize(input: string | null): number {
  if (input === null) return DEFAULT_PAGE_SIZE;
  // Digits only: Number() alone would take `1e1`, `0x10` or ` 5` for a page size.
  const limit = /^[0-9]+$/.test(input) ? Number(input) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new HttpError(400, 'Invalid query parameters.', { errors: [{ parameter: 'limit', detail: `an integer from 1 to ${MAX_PAGE_SIZE}` }] });
  }
  return limit;
}

function pathId(request: HttpRequest): string {
  const id = request.params.id ?? '';
  if (!itemId.safeParse(id).success) {
    throw new HttpError(400, 'Invalid path parameters.', { errors: [{ parameter: 'id', detail: 'use 1–64 letters, digits, underscores or hyphens' }] });
  }
  return id;
}

/** Parses with the resource's schema; every issue becomes a field error with a JSON Pointer. */
function validate<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const pointer = (path: readonly PropertyKey[]) => path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  const errors: FieldError[] = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ pointer: pointer([...issue.path, key]), detail: 'unknown field' }))
      : [{ pointer: pointer(issue.path), detail: issue.message }],
  );
  throw new HttpError(400, 'The request body is invalid.', { errors });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * RFC 7396 JSON merge patch: objects merge recursively, `null` removes a member, anything else replaces.
 * Members are collected in a Map and turned into own properties: assigning `result["__proto__"]` would set
 * the prototype instead, whose members the schema reads as fields without refusing them as unknown.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const members = new Map(isObject(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) members.delete(key);
    else members.set(key, mergePatch(members.get(key), value));
  }
  return Object.fromEntries(members);
}
