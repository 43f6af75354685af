import type { BulkOperationResult, OperationInput } from '@azure/cosmos';
import { CosmosDestination } from '../../../src/data-processing/persist.js';
import type { SinkInput } from '../../../src/data-processing/sink.js';

/**
 * Cosmos DB has no emulator in the test run: the real destination writes to an in-memory stand-in for
 * `container.items` that answers bulk upserts the way the service does.
 */
export async function testDestination(_settings: Record<string, string>) {
  const stored = new Map<string, Record<string, unknown>>();
  const items = {
    async executeBulkOperations(operations: OperationInput[]): Promise<BulkOperationResult[]> {
      return operations.map((operationInput) => {
        if (operationInput.operationType !== 'Upsert') throw new Error(`unexpected ${operationInput.operationType}`);
        stored.set(String(operationInput.resourceBody.id), operationInput.resourceBody);
        return { operationInput, response: { statusCode: 200, requestCharge: 1, diagnostics: undefined as never } };
      });
    },
  };
  return {
    destination: new CosmosDestination(items),
    /** Records of `ids`; every destination gets the input too (the blob one stores per input). */
    async persisted(ids: readonly string[], _input: SinkInput): Promise<Record<string, unknown>[]> {
      return ids.flatMap((id) => (stored.has(id) ? [stored.get(id)!] : []));
    },
  };
}
