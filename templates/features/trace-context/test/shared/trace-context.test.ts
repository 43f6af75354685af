import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import {
  invocationTraceContext,
  logTraceLinks,
  messageTraceContext,
  parseTraceParent,
  parseTraceState,
  withTraceContext,
} from '../../src/shared/trace-context.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const SENDER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('parseTraceParent', () => {
  it('reads the four fields of a version-00 traceparent', () => {
    expect(parseTraceParent(TRACE_PARENT)).toEqual({ traceId: TRACE_ID, parentId: '00f067aa0ba902b7', flags: '01' });
  });

  it.each([
    ['missing', undefined],
    ['not a string', 42],
    ['empty', ''],
    ['uppercase hex', TRACE_PARENT.toUpperCase()],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent id', `00-${TRACE_ID}-0000000000000000-01`],
    ['the forbidden version ff', `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ['version 00 with trailing data', `${TRACE_PARENT}-extra`],
    ['inner whitespace', `00- ${TRACE_ID}-00f067aa0ba902b7-01`],
    ['a Request-Id instead', '|4bf92f3577b34da6a3ce929d0e0e4736.00f067aa0ba902b7.'],
  ])('rejects %s', (_case, value) => {
    expect(parseTraceParent(value)).toBeUndefined();
  });

  it('reads a future version by its version-00 prefix', () => {
    expect(parseTraceParent(`cc-${TRACE_ID}-00f067aa0ba902b7-09-future-field`)).toEqual({ traceId: TRACE_ID, parentId: '00f067aa0ba902b7', flags: '09' });
  });
});

describe('parseTraceState', () => {
  it('keeps valid members and drops empty ones', () => {
    expect(parseTraceState('congo=t61rcWkgMzE, ,rojo=00f067aa0ba902b7,tenant@vendor=x')).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,tenant@vendor=x');
  });

  it('drops invalid members and keeps the valid ones', () => {
    expect(parseTraceState('Congo=1,rojo=2,noequals')).toBe('rojo=2');
  });

  it('keeps at most 32 members', () => {
    const members = Array.from({ length: 33 }, (_, index) => `k${index}=v`);
    expect(parseTraceState(members.join(','))!.split(',')).toHaveLength(32);
  });

  it.each([
    ['a member without a value', 'congo'],
    ['an uppercase key', 'Congo=1'],
    ['only separators', ' , '],
    ['not a string', 42],
  ])('has nothing left of %s', (_case, value) => {
    expect(parseTraceState(value)).toBeUndefined();
  });
});

describe('invocationTraceContext', () => {
  it("returns the invocation's traceparent and tracestate", () => {
    const context = new InvocationContext({ traceContext: { traceParent: TRACE_PARENT, traceState: 'congo=t61rcWkgMzE' } });
    expect(invocationTraceContext(context)).toEqual({ traceparent: TRACE_PARENT, tracestate: 'congo=t61rcWkgMzE' });
  });

  it('drops an invalid tracestate but keeps the traceparent', () => {
    const context = new InvocationContext({ traceContext: { traceParent: TRACE_PARENT, traceState: 'not valid' } });
    expect(invocationTraceContext(context)).toEqual({ traceparent: TRACE_PARENT });
  });

  it('returns nothing when the host set none or a malformed one', () => {
    expect(invocationTraceContext(new InvocationContext({}))).toBeUndefined();
    expect(invocationTraceContext(new InvocationContext({ traceContext: { traceParent: 'garbage', traceState: 'congo=1' } }))).toBeUndefined();
  });
});

describe('withTraceContext', () => {
  const trace = { traceparent: TRACE_PARENT, tracestate: 'congo=1' };

  it('stamps a plain JSON message (storage queue, Service Bus body)', () => {
    expect(withTraceContext({ eventId: 'e-1' }, trace)).toEqual({ eventId: 'e-1', traceparent: TRACE_PARENT, tracestate: 'congo=1' });
  });

  it("stamps a CloudEvent with the distributed-tracing extension attributes, leaving its data alone", () => {
    const event = { specversion: '1.0', id: 'e-1', source: '/s', type: 't', data: { traceparent: 'user data' } };
    expect(withTraceContext(event, trace)).toEqual({ ...event, traceparent: TRACE_PARENT, tracestate: 'congo=1' });
  });

  it('keeps a valid trace context the message already carries', () => {
    expect(withTraceContext({ id: 'e-1', traceparent: SENDER }, trace)).toEqual({ id: 'e-1', traceparent: SENDER });
  });

  it('replaces a malformed one, or removes it when there is nothing to stamp', () => {
    expect(withTraceContext({ id: 'e-1', traceparent: 'garbage', tracestate: 'x=1' }, trace)).toEqual({ id: 'e-1', ...trace });
    expect(withTraceContext({ id: 'e-1', traceparent: 'garbage', tracestate: 'x=1' }, undefined)).toEqual({ id: 'e-1' });
  });
});

describe('messageTraceContext', () => {
  it('reads the body fields of a parsed, text or Buffer body', () => {
    const body = { id: 'e-1', traceparent: SENDER, tracestate: 'congo=1' };
    expect(messageTraceContext(body)).toEqual({ traceparent: SENDER, tracestate: 'congo=1' });
    expect(messageTraceContext(JSON.stringify(body))).toEqual({ traceparent: SENDER, tracestate: 'congo=1' });
    expect(messageTraceContext(Buffer.from(JSON.stringify(body)))).toEqual({ traceparent: SENDER, tracestate: 'congo=1' });
  });

  it("falls back to the transport's Diagnostic-Id property (Service Bus and Event Hubs SDKs)", () => {
    expect(messageTraceContext({ id: 'e-1' }, { 'Diagnostic-Id': SENDER })).toEqual({ traceparent: SENDER });
    // Trigger metadata as the Functions worker hands it over, the first letter of every key lowercased.
    expect(messageTraceContext({ id: 'e-1' }, { 'diagnostic-Id': SENDER })).toEqual({ traceparent: SENDER });
    expect(messageTraceContext('order,quantity\no-1,2', { traceparent: SENDER })).toEqual({ traceparent: SENDER });
  });

  it('finds nothing in a body without one, a non-JSON body or a malformed value', () => {
    expect(messageTraceContext({ id: 'e-1' })).toBeUndefined();
    expect(messageTraceContext('{not json')).toBeUndefined();
    expect(messageTraceContext([{ traceparent: SENDER }])).toBeUndefined();
    expect(messageTraceContext({ traceparent: 'garbage' }, { 'Diagnostic-Id': '|abc.1.' })).toBeUndefined();
  });
});

describe('logTraceLinks', () => {
  it('logs one JSON line per distinct parent, with this invocation and its traceparent', () => {
    const lines: string[] = [];
    const context = new InvocationContext({
      invocationId: 'inv-1',
      traceContext: { traceParent: TRACE_PARENT },
      logHandler: (level, ...args) => lines.push(`${level}: ${args.join(' ')}`),
    });
    logTraceLinks(context, [{ traceparent: SENDER }, undefined, { traceparent: SENDER }], { source: 'storage-queue' });
    expect(lines).toEqual([
      `information: Trace link {"invocationId":"inv-1","traceParent":"${TRACE_PARENT}","parentTraceParent":"${SENDER}","source":"storage-queue"}`,
    ]);
  });

  it('logs nothing when no message carried a trace context', () => {
    const lines: string[] = [];
    const context = new InvocationContext({ logHandler: (_level, ...args) => lines.push(args.join(' ')) });
    logTraceLinks(context, [undefined, undefined]);
    expect(lines).toEqual([]);
  });
});
