import type { IncomingOrder, OrderRecord } from './records.js';

/** Map stage: pure, so the same input always yields the same stored record (idempotent upserts rely on it). */
export function mapRecord(order: IncomingOrder): OrderRecord {
  return {
    id: order.orderId,
    customerId: order.customerId,
    sku: order.sku,
    quantity: order.quantity,
    unitPrice: order.unitPrice,
    currency: order.currency,
    // Money in integer minor units: 0.1 + 0.2 must not become 0.30000000000000004 in a ledger.
    totalMinor: Math.round(order.quantity * order.unitPrice * 100),
    orderedAt: new Date(order.orderedAt).toISOString(),
  };
}
