import type { HttpRequest, InvocationContext } from '@azure/functions';
import { HttpError, problemResponse } from './problem.js';

/** What the API's handlers return: headers as a plain record, so tests and wrappers can read them directly. */
export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  jsonBody?: unknown;
}

export type ApiHandler = (request: HttpRequest, context: InvocationContext) => Promise<ApiResponse>;

/**
 * The response headers a browser app on another origin needs to read: conditional writes, paging, support
 * requests, why a token was refused (MSAL reads claims challenges there) and what a 405 or a 415 would take. The
 * platform's CORS (`corsAllowedOrigins`) admits the origin but has no setting for exposed headers, so the app names
 * them itself; without it, fetch() sees only the CORS-safelisted ones, and no ETag.
 */
const EXPOSED_HEADERS = 'ETag, Location, Link, X-Correlation-Id, WWW-Authenticate, Allow, Accept-Patch, Accept-Encoding';

/**
 * Unless a handler says otherwise: the data is the caller's, so no shared cache may keep it (a CDN keys on the
 * URL, not on x-functions-key, and with no Cache-Control Front Door caches for days), and a browser revalidates
 * its copy with the ETag before reusing it.
 */
const DEFAULT_CACHE_CONTROL = 'private, no-cache';

/**
 * Wraps a handler so that every failure becomes an RFC 9457 problem carrying the invocation id:
 * HttpErrors keep their status and detail, anything else is logged with its stack and answered with a
 * bare 500 (no internal message reaches the caller). Every response carries `X-Correlation-Id`, exposes
 * the API's headers to cross-origin callers and is private unless the handler sets Cache-Control; a HEAD
 * request gets the response without its body.
 */
export function httpHandler(handler: ApiHandler): ApiHandler {
  return async (request, context) => {
    const correlationId = context.invocationId;
    let response: ApiResponse;
    try {
      response = await handler(request, context);
    } catch (error) {
      const instance = new URL(request.url).pathname;
      if (error instanceof HttpError) {
        // The caller's doing: a warning with context, not an exception in the failure metrics.
        context.warn(`${request.method} ${instance} → ${error.status}: ${error.detail}`);
        response = problemResponse(error.status, correlationId, { detail: error.detail, instance, ...error.options });
      } else {
        context.error(`${request.method} ${instance} failed (correlation id ${correlationId})`, error);
        response = problemResponse(500, correlationId, { detail: 'The server failed to process the request.', instance });
      }
    }
    const headers = {
      'Cache-Control': DEFAULT_CACHE_CONTROL,
      ...response.headers,
      'X-Correlation-Id': correlationId,
      'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    };
    if (request.method === 'HEAD') {
      // HEAD is GET without the body (RFC 9110 §9.3.2); the Content-Type the JSON body would have had stays.
      const { body: _body, jsonBody, ...bodiless } = response;
      return { ...bodiless, headers: jsonBody === undefined ? headers : { 'Content-Type': 'application/json', ...headers } };
    }
    return { ...response, headers };
  };
}
