import { CosmosClient, type BulkOperationResult, type OperationInput } from '@azure/cosmos';
import { azureCredential } from '../shared/storage-clients.js';
import { BatchWriter } from './batch-writer.js';
import { DATA_CONFIG } from './config.js';
import type { EnrichedOrderRecord } from './records.js';
import type { RecordDestination } from './sink.js';

/** The part of a Cosmos container the persist stage uses (tests pass a fake). */
export interface BulkItems {
  executeBulkOperations(operations: OperationInput[]): Promise<BulkOperationResult[]>;
}

/**
 * Persist stage: records in Cosmos DB for NoSQL (partition key /customerId, id = order line id). Bulk upserts, so
 * reprocessing an input overwrites the same items; any failed operation fails the batch, and the input is retried.
 */
export class CosmosDestination implements RecordDestination {
  constructor(
    private readonly items: BulkItems,
    private readonly batchSize: number = DATA_CONFIG.batchSize,
  ) {}

  open() {
    // Counted per operation: the upserts of a batch that succeeded stay written when others of it fail.
    const written = { items: 0 };
    const writer = new BatchWriter<EnrichedOrderRecord>(this.batchSize, (records) => this.upsert(records, written));
    return { write: (record: EnrichedOrderRecord) => writer.add(record), close: () => writer.flush(), persisted: () => written.items };
  }

  private async upsert(records: EnrichedOrderRecord[], written: { items: number }): Promise<void> {
    const results = await this.items.executeBulkOperations(
      records.map((record) => ({ operationType: 'Upsert', partitionKey: record.customerId, resourceBody: { ...record } })),
    );
    const failed = results.filter((result) => result.error || !result.response || result.response.statusCode >= 400);
    written.items += results.length - failed.length;
    if (failed.length > 0) {
      throw new Error(`Cosmos DB rejected ${failed.length} of ${records.length} upserts (first: ${describeFailure(failed[0]!)})`);
    }
  }
}

/**
 * Status/substatus and the first line of the service's message: the SDK reports a connection reset as 500 with the
 * cause only in the message, and a 429's substatus names the limit hit. Later lines hold the request's diagnostics.
 */
function describeFailure({ error, response }: BulkOperationResult): string {
  if (!error) return String(response?.statusCode ?? 'no response');
  const code = error.substatus ? `${error.code}/${error.substatus}` : String(error.code);
  // Typed as a string, but undefined when the operation's result in the bulk response carried no message.
  const firstLine = (error.message as string | undefined)?.split(/\r?\n/, 1)[0]?.trim();
  return firstLine ? `${code}, ${firstLine}` : code;
}

export function createDestination(settings: Readonly<Record<string, string | undefined>> = process.env): RecordDestination {
  const endpoint = settings.COSMOS_ENDPOINT;
  if (!endpoint) throw new Error('COSMOS_ENDPOINT is not set');
  // Identity only: the account has local (key) authentication disabled.
  const client = new CosmosClient({ endpoint, aadCredentials: azureCredential() });
  return new CosmosDestination(client.database(DATA_CONFIG.cosmosDatabase).container(DATA_CONFIG.cosmosContainer).items);
}
