import type { Customer } from '../../../src/data-processing/enrich.js';
import type { EnrichedOrderRecord } from '../../../src/data-processing/records.js';

export const CUSTOMERS: Customer[] = [
  { customerId: 'c-0', name: 'Fabrikam', region: 'emea' },
  { customerId: 'c-1', name: 'Contoso', region: 'amer' },
  { customerId: 'c-2', name: 'Northwind', region: 'apac' },
];

/** An order line as it arrives, valid unless overridden. */
export function incomingOrder(overrides: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    orderId: 'o-1',
    customerId: 'c-1',
    sku: 'SKU-1',
    quantity: 2,
    unitPrice: 12.5,
    currency: 'EUR',
    orderedAt: '2026-01-15T10:00:00Z',
    ...overrides,
  };
}

export function enrichedOrder(overrides: Partial<EnrichedOrderRecord> = {}): EnrichedOrderRecord {
  return {
    id: 'o-1:SKU-1',
    customerId: 'c-1',
    sku: 'SKU-1',
    quantity: 2,
    unitPrice: 12.5,
    currency: 'EUR',
    totalMinor: 2500,
    orderedAt: '2026-01-15T10:00:00.000Z',
    customerName: 'Contoso',
    customerRegion: 'amer',
    ...overrides,
  };
}

/** Three valid lines and three that must be quarantined, each for a different reason. */
export const MIXED_ORDERS = [
  incomingOrder({ orderId: 'o-1', customerId: 'c-0' }),
  incomingOrder({ orderId: 'o-2', quantity: 'three' }),
  incomingOrder({ orderId: 'o-3', customerId: 'c-2', quantity: 1, unitPrice: 0.1 }),
  incomingOrder({ orderId: 'o-4', currency: 'euro' }),
  incomingOrder({ orderId: 'o-5', customerId: 'c-404' }),
  incomingOrder({ orderId: 'o-6' }),
];
