import { describe, expect, it } from 'vitest';
import { Enricher, parseReferenceData, type Customer, type ReferenceSource } from '../../src/data-processing/enrich.js';
import { withRetry } from '../../src/data-processing/retry.js';
import { CUSTOMERS, enrichedOrder } from './support/orders.js';

const { customerName: _name, customerRegion: _region, ...order } = enrichedOrder();
const fast = { attempts: 3, timeoutMs: 50, baseDelayMs: 1, ttlMs: 60_000 };

function countingSource(behaviours: Array<'ok' | 'fail' | 'hang'>): ReferenceSource & { calls: number } {
  const source = {
    calls: 0,
    async load(signal: AbortSignal): Promise<Customer[]> {
      const behaviour = behaviours[source.calls++] ?? 'ok';
      if (behaviour === 'fail') throw new Error('reference store unavailable');
      if (behaviour === 'hang') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      return CUSTOMERS;
    },
  };
  return source;
}

describe('enrich stage', () => {
  it('joins the customer and loads the reference data once per instance, even for concurrent records', async () => {
    const source = countingSource(['ok']);
    const enricher = new Enricher(source, fast);
    const results = await Promise.all([enricher.enrich(order), enricher.enrich({ ...order, customerId: 'c-2' })]);
    expect(results.map((result) => result.ok && result.record.customerName)).toEqual(['Contoso', 'Northwind']);
    await enricher.enrich(order);
    expect(source.calls).toBe(1);
  });

  it('rejects a record whose customer is unknown, with the reason', async () => {
    const result = await new Enricher(countingSource(['ok']), fast).enrich({ ...order, customerId: 'c-404' });
    expect(result).toEqual({ ok: false, reason: 'customerId: no customer "c-404" in the reference data' });
  });

  it('retries a failing or hanging load and reloads after the TTL', async () => {
    let now = 0;
    const source = countingSource(['fail', 'hang', 'ok', 'ok']);
    const enricher = new Enricher(source, { ...fast, now: () => now });
    expect((await enricher.enrich(order)).ok).toBe(true);
    expect(source.calls).toBe(3);
    now = 60_001;
    await enricher.enrich(order);
    expect(source.calls).toBe(4);
  });

  it('gives up after the last attempt with the cause', async () => {
    const enricher = new Enricher(countingSource(['fail', 'fail', 'fail']), fast);
    await expect(enricher.enrich(order)).rejects.toThrow('gave up after 3 attempts: reference store unavailable');
  });
});

describe('parseReferenceData', () => {
  const json = JSON.stringify(CUSTOMERS);

  it('reads the customers from UTF-8, also with the byte order mark Windows editors write, and from marked UTF-16', () => {
    expect(parseReferenceData(Buffer.from(json))).toEqual(CUSTOMERS);
    expect(parseReferenceData(Buffer.from(`\uFEFF${json}`))).toEqual(CUSTOMERS);
    expect(parseReferenceData(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]))).toEqual(CUSTOMERS);
  });

  it('refuses a file that is not an array of customers', () => {
    expect(() => parseReferenceData(Buffer.from('{"customerId":"c-1"}'))).toThrow();
  });
});

describe('withRetry', () => {
  it('times out an operation that ignores its abort signal', async () => {
    const never = () => new Promise<never>(() => undefined);
    await expect(withRetry(never, { attempts: 1, timeoutMs: 20, baseDelayMs: 0 })).rejects.toThrow('timed out after 20 ms');
  });
});
