import { z } from 'zod';

/**
 * The record contract of the pipeline, one schema per stage boundary. The example domain is order lines;
 * replace the fields with yours and the stages, tests and fixtures follow the types.
 */

/**
 * A number's decimal text: CSV delivers every field as text, and a JSON number is read as the text it prints as.
 * Only plain decimals pass: Number() would read '0x10' as 16, '1e3' as 1000, and '' or null as 0.
 */
const decimalText = (pattern: RegExp, message: string) =>
  z.preprocess((value) => (typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : value), z.string().regex(pattern, message));

/**
 * The ISO 4217 codes in use, as Intl knows them. Three capital letters are not enough: Intl formats any of them
 * with 2 decimals, so a typo (EUT) would be stored as a currency of its own.
 */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

const currencyDigits = new Map<string, number>();

/** Decimals of a currency's minor unit (JPY 0, EUR 2, KWD 3), as Intl knows them; cached, as a formatter is slow to make. */
function minorUnitDigits(currency: string): number {
  let digits = currencyDigits.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    currencyDigits.set(currency, digits);
  }
  return digits;
}

/**
 * What the validate stage accepts, and what it makes of it: the line's total in integer minor units, computed from
 * the price's decimal text, so no binary fraction (0.1 + 0.2 = 0.30000000000000004) ever reaches a ledger.
 */
export const incomingOrderSchema = z
  .object({
    orderId: z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'orderId must be 1-64 letters, digits or hyphens'),
    customerId: z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'customerId must be 1-64 letters, digits or hyphens'),
    sku: z.string().trim().min(1).max(64),
    // `int()` takes safe integers only, so a quantity too long to be exact (9007199254740993 reads as …992) is rejected.
    quantity: decimalText(/^\d+$/, 'quantity must be a whole number such as 3').transform(Number).pipe(z.number().int().positive()),
    unitPrice: decimalText(/^\d+(\.\d+)?$/, 'unitPrice must be a decimal number such as 12.50'),
    currency: z.string().trim().refine((code) => CURRENCIES.has(code), 'currency must be an ISO 4217 code such as EUR'),
    orderedAt: z.iso.datetime({ offset: true }),
  })
  .transform((order, context) => {
    const digits = minorUnitDigits(order.currency);
    const [units = '', fraction = ''] = order.unitPrice.split('.');
    // Trailing zeros are formatting (12.500 EUR); a significant digit past the minor unit is a price the currency cannot charge.
    const significantFraction = fraction.replace(/0+$/, '');
    if (significantFraction.length > digits) {
      context.addIssue({ code: 'custom', path: ['unitPrice'], message: `${order.unitPrice} has more decimals than ${order.currency} has (${digits})` });
      return z.NEVER;
    }
    const totalMinor = BigInt(order.quantity) * BigInt(units + significantFraction.padEnd(digits, '0'));
    if (totalMinor > BigInt(Number.MAX_SAFE_INTEGER)) {
      context.addIssue({ code: 'custom', path: [], message: `${order.quantity} × ${order.unitPrice} ${order.currency} is too large to total exactly` });
      return z.NEVER;
    }
    return { ...order, unitPrice: Number(order.unitPrice), totalMinor: Number(totalMinor) };
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
  /** quantity × unitPrice in the currency's minor units (cents for EUR, yen for JPY), exact. */
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
