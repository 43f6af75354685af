import type { IncomingOrder, OrderRecord } from './records.js';

/**
 * The id of an order line: its order and sku, since an order has a line per sku. A sku is any text, and keys may
 * not hold `/`, `\`, `#`, `?` or control characters (nor `%`, which breaks Table point reads on Azure): every
 * character but a letter, digit, `.`, `_` or `-` is written as `~` and its UTF-16 code, so the id stays readable
 * and two skus never share one. An orderId holds no `:`, so the first one ends it.
 */
export function orderLineId(orderId: string, sku: string): string {
  return `${orderId}:${sku.replace(/[^A-Za-z0-9._-]/g, (char) => `~${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}

/** Map stage: pure, so the same input always yields the same stored record (idempotent upserts rely on it). */
export function mapRecord(order: IncomingOrder): OrderRecord {
  return {
    id: orderLineId(order.orderId, order.sku),
    customerId: order.customerId,
    sku: order.sku,
    quantity: order.quantity,
    unitPrice: order.unitPrice,
    currency: order.currency,
    totalMinor: order.totalMinor,
    orderedAt: new Date(order.orderedAt).toISOString(),
  };
}
