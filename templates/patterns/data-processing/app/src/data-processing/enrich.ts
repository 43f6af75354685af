import { z } from 'zod';
import type { EnrichedOrderRecord, OrderRecord } from './records.js';
import { withRetry, type RetryOptions } from './retry.js';
import { decodeBytes } from './text.js';

const customerSchema = z.object({ customerId: z.string(), name: z.string(), region: z.string() });
export const referenceDataSchema = z.array(customerSchema);
export type Customer = z.infer<typeof customerSchema>;

/**
 * The reference data blob's bytes as customers. Decoded as inputs are: a customers.json saved on Windows often
 * starts with a byte order mark, which JSON.parse refuses, and then every input would fail enrichment into poison.
 */
export function parseReferenceData(bytes: Buffer): Customer[] {
  return referenceDataSchema.parse(JSON.parse(decodeBytes(bytes)));
}

/** Where reference data comes from (a blob in Azure, an array in tests). */
export interface ReferenceSource {
  load(signal: AbortSignal): Promise<Customer[]>;
}

export type Enrichment = { ok: true; record: EnrichedOrderRecord } | { ok: false; reason: string };

export interface EnricherOptions extends RetryOptions {
  /** How long a loaded copy of the reference data is used before it is loaded again. */
  ttlMs: number;
  now?: () => number;
}

export const DEFAULT_ENRICHER_OPTIONS: EnricherOptions = { attempts: 3, timeoutMs: 5_000, baseDelayMs: 200, ttlMs: 5 * 60_000 };

/**
 * Enrich stage: joins each record with its customer. The reference data is loaded once per instance and
 * TTL (not once per record), with a timeout and retries; concurrent callers share one load.
 */
export class Enricher {
  private cache: { customers: Map<string, Customer>; loadedAt: number } | undefined;
  private loading: Promise<Map<string, Customer>> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly source: ReferenceSource,
    private readonly options: EnricherOptions = DEFAULT_ENRICHER_OPTIONS,
  ) {
    this.now = options.now ?? Date.now;
  }

  async enrich(record: OrderRecord): Promise<Enrichment> {
    const customer = (await this.customers()).get(record.customerId);
    if (!customer) return { ok: false, reason: `customerId: no customer "${record.customerId}" in the reference data` };
    return { ok: true, record: { ...record, customerName: customer.name, customerRegion: customer.region } };
  }

  private async customers(): Promise<Map<string, Customer>> {
    if (this.cache && this.now() - this.cache.loadedAt < this.options.ttlMs) return this.cache.customers;
    this.loading ??= withRetry((signal) => this.source.load(signal), this.options)
      .then((list) => {
        const customers = new Map(list.map((customer) => [customer.customerId, customer]));
        this.cache = { customers, loadedAt: this.now() };
        return customers;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
