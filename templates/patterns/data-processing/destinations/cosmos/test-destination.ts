import { ErrorResponse, type BulkOperationResult, type OperationInput } from '@azure/cosmos';
import { CosmosDestination } from '../../../src/data-processing/persist.js';
import type { SinkInput } from '../../../src/data-processing/sink.js';

/** Characters an id must not hold: the service stores such an item, but it can no longer be read or deleted by id. */
const UNADDRESSABLE_ID = /[/\\?#]/;

/**
 * Cosmos DB has no emulator in the test run: stands in for `container.items` of the `records` container (partition
 * key path /customerId) and answers bulk upserts the way the service does. An item is keyed by partition and id; a
 * new one answers 201, a replaced one 200; an upsert whose partition key is not its document's customerId is refused
 * (400), as is an id the service could not address again, so a fake never accepts what Cosmos DB would not.
 */
export class FakeCosmosItems {
  readonly stored = new Map<string, Record<string, unknown>>();
  readonly batchSizes: number[] = [];

  /** The item of `customerId`'s partition with `id`. */
  item(customerId: string, id: string): Record<string, unknown> | undefined {
    return this.stored.get(JSON.stringify([customerId, id]));
  }

  async executeBulkOperations(operations: OperationInput[]): Promise<BulkOperationResult[]> {
    this.batchSizes.push(operations.length);
    return operations.map((operationInput) => {
      if (operationInput.operationType !== 'Upsert') throw new Error(`unexpected ${operationInput.operationType}`);
      const document = operationInput.resourceBody;
      const refusal = refusalOf(operationInput.partitionKey, document);
      if (refusal) return { operationInput, error: Object.assign(new ErrorResponse(refusal), { code: 400 }) };
      const key = JSON.stringify([document.customerId, document.id]);
      const statusCode = this.stored.has(key) ? 200 : 201;
      this.stored.set(key, document);
      return { operationInput, response: { statusCode, requestCharge: 1, diagnostics: undefined as never } };
    });
  }
}

function refusalOf(partitionKey: unknown, document: Record<string, unknown>): string | undefined {
  if (partitionKey !== document.customerId) return 'PartitionKey extracted from document doesn\'t match the one specified in the header';
  const id = document.id;
  if (typeof id !== 'string' || id === '' || Buffer.byteLength(id) > 1023 || UNADDRESSABLE_ID.test(id)) return `The input name '${String(id)}' is invalid`;
  return undefined;
}

/** The real destination writing to the stand-in. */
export async function testDestination(_settings: Record<string, string>) {
  const items = new FakeCosmosItems();
  return {
    destination: new CosmosDestination(items),
    /** Records of `ids`, whatever their partition; every destination gets the input too (the blob one stores per input). */
    async persisted(ids: readonly string[], _input: SinkInput): Promise<Record<string, unknown>[]> {
      const stored = [...items.stored.values()];
      return ids.flatMap((id) => stored.filter((item) => item.id === id));
    },
  };
}
