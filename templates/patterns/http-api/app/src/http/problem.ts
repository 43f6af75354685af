import type { ApiResponse } from './handler.js';

/** One invalid part of a request: a body member (JSON Pointer, as in RFC 9457's example) or a URL parameter. */
export type FieldError = { pointer: string; detail: string } | { parameter: string; detail: string };

/** RFC 9457 problem details, plus the invocation id so a caller's report can be found in the logs. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  correlationId: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/**
 * An error a handler throws on purpose: its status, detail and headers are safe to show the caller.
 * Anything else thrown becomes a 500 whose message never leaves the server.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

export function problemResponse(
  status: number,
  correlationId: string,
  details: { detail?: string; instance?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
): ApiResponse {
  const body: ProblemDetails = {
    // `about:blank` says the status code is the whole story; the title is then the status phrase.
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(details.detail === undefined ? {} : { detail: details.detail }),
    ...(details.instance === undefined ? {} : { instance: details.instance }),
    correlationId,
    ...(details.errors === undefined ? {} : { errors: details.errors }),
  };
  return {
    status,
    headers: { ...details.headers, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}
