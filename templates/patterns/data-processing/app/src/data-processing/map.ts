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
    // Money in integer minor units: 0.1 + 0.2 must not become 0.30000000000000004 in a ledger. The product is
    // taken to 15 significant digits before rounding, so binary noise (1.005 × 100 = 100.49999999999999) does not
    // decide which way half a cent goes.
    totalMinor: Math.round(Number((order.quantity * order.unitPrice * 100).toPrecision(15))),
    orderedAt: new Date(order.orderedAt).toISOString(),
  };
}
