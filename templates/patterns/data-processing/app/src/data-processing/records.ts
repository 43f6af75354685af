import { z } from 'zod';

/**
 * The record contract of the pipeline, one schema per stage boundary. The example domain is order lines;
 * replace the fields with yours and the stages, tests and fixtures follow the types.
 */

/**
 * A number, or its text: CSV delivers every field as text. Only text that is not blank is converted, since
 * Number('') and Number(null) are 0 and Number(true) is 1: an empty field is missing, not zero.
 */
const numeric = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);

/** What the validate stage accepts. */
export const incomingOrderSchema = z.object({
  orderId: z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'orderId must be 1-64 letters, digits or hyphens'),
  customerId: z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'customerId must be 1-64 letters, digits or hyphens'),
  sku: z.string().trim().min(1).max(64),
  quantity: numeric(z.number().int().positive()),
  unitPrice: numeric(z.number().nonnegative()),
  currency: z.string().trim().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR'),
  orderedAt: z.iso.datetime({ offset: true }),
});
export type IncomingOrder = z.infer<typeof incomingOrderSchema>;

/** After the map stage: the shape the destination stores, keyed for idempotent upserts. */
export interface OrderRecord {
  /** One per order line (`orderLineId`); the destination's key, so reprocessing overwrites instead of duplicating. */
  id: string;
  customerId: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  currency: string;
  /** quantity × unitPrice in minor units (cents), exact. */
  totalMinor: number;
  orderedAt: string;
}

/** After the enrich stage. */
export interface EnrichedOrderRecord extends OrderRecord {
  customerName: string;
  customerRegion: string;
}

/**
 * The longest record a parse stage reads, in characters. An order line is far smaller: a longer one is the rest
 * of a file behind a stray quote, or a file with no line breaks, and a parser must not hold it whole in memory.
 */
export const MAX_RECORD_LENGTH = 1024 * 1024;

/** One record's text as it streams in, held up to MAX_RECORD_LENGTH: past that, only its start, marked `cut`. */
export class RecordText {
  private text = '';
  private cut = false;

  append(chunk: string): void {
    if (this.cut) return;
    this.text += chunk;
    if (this.text.length > MAX_RECORD_LENGTH) {
      this.text = this.text.slice(0, MAX_RECORD_LENGTH);
      this.cut = true;
    }
  }

  /** The record's text so far, and whether it was cut; the next record starts empty. */
  take(): { text: string; cut: boolean } {
    const taken = { text: this.text, cut: this.cut };
    this.text = '';
    this.cut = false;
    return taken;
  }
}

/**
 * One record as the parse stage read it: a value, or why the raw text could not be read. A value comes with its
 * `raw` text where reading loses some of it (CSV: fields past the header, spaces around fields): a rejected record
 * is quarantined as that text, so it can be corrected and sent again without going back to the input.
 */
export type ParsedRecord = { recordNumber: number; value: unknown; raw?: string } | { recordNumber: number; error: string; raw: string };

/**
 * The payload as a whole cannot be read (say a CSV file that ends inside a quoted field): unlike a failing
 * dependency, trying again cannot help, so the pipeline poisons it at once.
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}
