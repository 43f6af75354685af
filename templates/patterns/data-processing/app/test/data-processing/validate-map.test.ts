import { describe, expect, it } from 'vitest';
import { mapRecord } from '../../src/data-processing/map.js';
import { validateRecord } from '../../src/data-processing/validate.js';
import { incomingOrder } from './support/orders.js';

/** The reason a record is rejected for, or a failure if it is accepted. */
function rejection(overrides: Record<string, string | number>): string {
  const result = validateRecord(incomingOrder(overrides));
  if (result.ok) throw new Error(`accepted ${JSON.stringify(overrides)}`);
  return result.reason;
}

/** The record the map stage stores for a valid order line. */
function mapped(overrides: Record<string, string | number>) {
  const validation = validateRecord(incomingOrder(overrides));
  if (!validation.ok) throw new Error(validation.reason);
  return mapRecord(validation.record);
}

describe('validate stage', () => {
  it('accepts a valid record and reads numbers from their decimal text (CSV delivers text)', () => {
    const result = validateRecord({ ...incomingOrder(), quantity: '2', unitPrice: '12.50' });
    expect(result).toEqual({ ok: true, record: expect.objectContaining({ quantity: 2, unitPrice: 12.5 }) });
  });

  it('rejects a record with every reason, field by field', () => {
    const reason = rejection({ quantity: 'three', currency: 'euro', orderedAt: 'yesterday' });
    expect(reason).toContain('quantity:');
    expect(reason).toContain('currency: currency must be an ISO 4217 code');
    expect(reason).toContain('orderedAt:');
  });

  it('rejects a currency code that is well formed but not a currency, rather than store it with a guessed minor unit', () => {
    // Intl formats any three letters, with 2 decimals: a typo would be persisted as a currency of its own.
    for (const currency of ['EUT', 'ABC', 'XXX']) expect(rejection({ currency })).toBe('currency: currency must be an ISO 4217 code such as EUR');
    for (const currency of ['EUR', 'JPY', 'KWD', 'USD']) expect(validateRecord(incomingOrder({ currency, unitPrice: '12' })).ok).toBe(true);
  });

  it('rejects a blank, null or boolean number instead of reading it as 0 or 1', () => {
    // A CSV row with an empty price field must not be stored as a free order line.
    for (const unitPrice of ['', '  ', null, false]) {
      expect(validateRecord({ ...incomingOrder(), unitPrice })).toMatchObject({ ok: false, reason: expect.stringContaining('unitPrice:') });
    }
    expect(validateRecord({ ...incomingOrder(), quantity: true })).toMatchObject({ ok: false, reason: expect.stringContaining('quantity:') });
  });

  it('rejects numbers written other than as plain decimals: hexadecimal, exponents, signs, separators', () => {
    // Number() reads '0x10' as 16 and '1e3' as 1000: a typo or a spreadsheet's formatting must not become a quantity.
    for (const quantity of ['0x10', '1e3', '+3', '-1', '0', '1.5', '1_000', 'Infinity', '9007199254740993']) {
      expect(rejection({ quantity })).toContain('quantity:');
    }
    for (const unitPrice of ['0x10', '1e3', '-1', '12,50', '.5', '5.', 'NaN', 'Infinity']) {
      expect(rejection({ unitPrice })).toContain('unitPrice:');
    }
  });

  it('rejects a price with more decimals than its currency has, rather than rounding it away', () => {
    expect(rejection({ unitPrice: '0.001', currency: 'EUR' })).toBe('unitPrice: 0.001 has more decimals than EUR has (2)');
    expect(rejection({ unitPrice: 100.5, currency: 'JPY' })).toBe('unitPrice: 100.5 has more decimals than JPY has (0)');
    expect(rejection({ unitPrice: '1.2345', currency: 'KWD' })).toBe('unitPrice: 1.2345 has more decimals than KWD has (3)');
  });

  it('rejects a total too large to count exactly in minor units', () => {
    expect(rejection({ quantity: '9007199254740991', unitPrice: '1000' })).toBe('record: 9007199254740991 × 1000 EUR is too large to total exactly');
  });
});

describe('map stage', () => {
  it('keys the record by order line, normalises the timestamp and totals in exact minor units', () => {
    expect(mapped({ quantity: 3, unitPrice: 0.1, orderedAt: '2026-01-15T11:00:00+01:00' })).toEqual({
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

  it('totals in the minor units of the currency: none for JPY, 2 for EUR, 3 for KWD', () => {
    const totals = [
      mapped({ quantity: 2, unitPrice: '100', currency: 'JPY' }),
      mapped({ quantity: 7, unitPrice: '19.99', currency: 'EUR' }),
      mapped({ quantity: 3, unitPrice: '12.500', currency: 'EUR' }),
      mapped({ quantity: 3, unitPrice: '1.234', currency: 'KWD' }),
    ].map((record) => record.totalMinor);
    expect(totals).toEqual([200, 13993, 3750, 3702]);
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
