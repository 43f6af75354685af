import { describe, expect, it } from 'vitest';
import { mapRecord } from '../../src/data-processing/map.js';
import { validateRecord } from '../../src/data-processing/validate.js';
import { incomingOrder } from './support/orders.js';

/** The record the map stage stores for a valid order line. */
function mapped(overrides: Record<string, string | number>) {
  const validation = validateRecord(incomingOrder(overrides));
  if (!validation.ok) throw new Error(validation.reason);
  return mapRecord(validation.record);
}

describe('validate stage', () => {
  it('accepts a valid record and coerces text numbers (CSV delivers text)', () => {
    const result = validateRecord({ ...incomingOrder(), quantity: '2', unitPrice: '12.50' });
    expect(result).toEqual({ ok: true, record: expect.objectContaining({ quantity: 2, unitPrice: 12.5 }) });
  });

  it('rejects a record with every reason, field by field', () => {
    const result = validateRecord({ ...incomingOrder(), quantity: 'three', currency: 'euro', orderedAt: 'yesterday' });
    expect(result.ok).toBe(false);
    const reason = result.ok ? '' : result.reason;
    expect(reason).toContain('quantity:');
    expect(reason).toContain('currency: currency must be an ISO 4217 code');
    expect(reason).toContain('orderedAt:');
  });

  it('rejects a blank, null or boolean number instead of reading it as 0 or 1', () => {
    // A CSV row with an empty price field must not be stored as a free order line.
    for (const unitPrice of ['', '  ', null, false]) {
      expect(validateRecord({ ...incomingOrder(), unitPrice })).toMatchObject({ ok: false, reason: expect.stringContaining('unitPrice:') });
    }
    expect(validateRecord({ ...incomingOrder(), quantity: true })).toMatchObject({ ok: false, reason: expect.stringContaining('quantity:') });
  });

  it('rejects missing fields and values that are not objects', () => {
    expect(validateRecord({ orderId: 'o-1' })).toMatchObject({ ok: false, reason: expect.stringContaining('customerId:') });
    expect(validateRecord('o-1')).toMatchObject({ ok: false, reason: expect.stringContaining('record:') });
  });
});

describe('map stage', () => {
  it('keys the record by order line, normalises the timestamp and totals in exact minor units', () => {
    const validation = validateRecord(incomingOrder({ quantity: 3, unitPrice: 0.1, orderedAt: '2026-01-15T11:00:00+01:00' }));
    if (!validation.ok) throw new Error(validation.reason);
    expect(mapRecord(validation.record)).toEqual({
      id: 'o-1:SKU-1',
      customerId: 'c-1',
      sku: 'SKU-1',
      quantity: 3,
      unitPrice: 0.1,
      currency: 'EUR',
      totalMinor: 30,
      orderedAt: '2026-01-15T10:00:00.000Z',
    });
  });

  it('rounds a total of half a cent up whatever the binary form of the price: 1.005 like 1.045', () => {
    // 1 × 1.005 × 100 is 100.49999999999999 in floating point, 1 × 1.045 × 100 is 104.5.
    const total = (quantity: number, unitPrice: number) => {
      const validation = validateRecord(incomingOrder({ quantity, unitPrice }));
      if (!validation.ok) throw new Error(validation.reason);
      return mapRecord(validation.record).totalMinor;
    };
    expect([total(1, 1.005), total(1, 1.045), total(1, 0.285), total(3, 0.335), total(7, 19.99)]).toEqual([101, 105, 29, 101, 13993]);
  });

  it('gives every sku an id that Table storage and Cosmos DB can key on, a different one for each sku', () => {
    const skus = ['Chair/oak #1?', 'a/b', 'a~002fb', 'Café ☕', 'tab\tend', '100%'];
    const ids = skus.map((sku) => mapped({ sku }).id);
    expect(ids[0]).toBe('o-1:Chair~002foak~0020~00231~003f');
    // No `/`, `\`, `#`, `?`, `%` or control characters: a `%` breaks point reads on Azure, which decode keys twice.
    for (const id of ids) expect(id).toMatch(/^o-1:[A-Za-z0-9._~-]+$/);
    expect(new Set(ids).size).toBe(skus.length);
  });
});
