import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { ApiResponse } from '../../src/http/handler.js';
import type { ProblemDetails } from '../../src/http/problem.js';

export interface RequestOptions {
  /** Sent as JSON (with Content-Type application/json unless headers say otherwise); a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Route parameters, which the Functions host would fill in from the route template. */
  params?: Record<string, string>;
}

/** An HttpRequest as the host builds it, for calling handlers directly. */
export function apiRequest(method: string, url: string, { body, headers = {}, params = {} }: RequestOptions = {}): HttpRequest {
  const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const contentType: Record<string, string> = body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' };
  return new HttpRequest({
    method,
    url: new URL(url, 'http://localhost').toString(),
    headers: { ...contentType, ...headers },
    params,
    ...(text === undefined ? {} : { body: { string: text } }),
  });
}

/** An invocation context whose log lines are kept, so tests can see what reached Application Insights. */
export function invocation(): InvocationContext & { logs: { level: string; message: string }[] } {
  const logs: { level: string; message: string }[] = [];
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: 'test',
    logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(' ') }),
  });
  return Object.assign(context, { logs });
}

/** The problem+json body of an error response, after checking it is one. */
export function problemOf(response: ApiResponse): ProblemDetails {
  if (response.headers?.['Content-Type'] !== 'application/problem+json') {
    throw new Error(`expected application/problem+json, got ${response.headers?.['Content-Type']} (status ${response.status})`);
  }
  return JSON.parse(response.body!) as ProblemDetails;
}
