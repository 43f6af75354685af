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
 * Wraps a handler so that every failure becomes an RFC 9457 problem carrying the invocation id:
 * HttpErrors keep their status and detail, anything else is logged with its stack and answered with a
 * bare 500 (no internal message reaches the caller). Every response carries `X-Correlation-Id`.
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
    return { ...response, headers: { ...response.headers, 'X-Correlation-Id': correlationId } };
  };
}
