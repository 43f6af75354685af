import { incomingOrderSchema, type IncomingOrder } from './records.js';

export type Validation = { ok: true; record: IncomingOrder } | { ok: false; reason: string };

/** Validate stage: a record either passes the schema or is rejected with every problem, field by field. */
export function validateRecord(value: unknown): Validation {
  const result = incomingOrderSchema.safeParse(value);
  if (result.success) return { ok: true, record: result.data };
  const reason = result.error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`).join('; ');
  return { ok: false, reason };
}
