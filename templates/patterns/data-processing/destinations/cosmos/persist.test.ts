import { ErrorResponse, type BulkOperationResult, type OperationInput } from '@azure/cosmos';
import { describe, expect, it } from 'vitest';
import { CosmosDestination } from '../../src/data-processing/persist.js';
import { enrichedOrder } from './support/orders.js';
import { FakeCosmosItems } from './support/test-destination.js';

describe('persist stage (Cosmos DB bulk upserts)', () => {
  it('upserts in batches keyed by customer and stays idempotent when the input is processed again', async () => {
    const items = new FakeCosmosItems();
    const destination = new CosmosDestination(items, 100);
    const records = Array.from({ length: 250 }, (_, i) => enrichedOrder({ id: `o-${i}`, customerId: `c-${i % 3}` }));

    for (let run = 0; run < 2; run++) {
      const sink = destination.open();
      for (const record of records) await sink.write(record);
      expect(await sink.close()).toBe(250);
    }

    expect(items.batchSizes).toEqual([100, 100, 50, 100, 100, 50]);
    expect(items.stored.size).toBe(250);
    expect(items.item('c-1', 'o-1')).toMatchObject({ id: 'o-1', customerId: 'c-1', customerName: 'Contoso' });
  });

  it('fails the batch when any operation is rejected, so the input is retried', async () => {
    const throttled = {
      executeBulkOperations: async (operations: OperationInput[]): Promise<BulkOperationResult[]> =>
        operations.map((operationInput) => ({ operationInput, response: { statusCode: 429, requestCharge: 0, diagnostics: undefined as never } })),
    };
    const sink = new CosmosDestination(throttled, 10).open();
    await sink.write(enrichedOrder());
    await expect(sink.close()).rejects.toThrow('Cosmos DB rejected 1 of 1 upserts (first: 429)');
  });

  it('names the status, substatus and first line of the service\'s message of a failed upsert, which the status row and poison reason keep', async () => {
    /** The error of every upsert, as the SDK reports an operation that failed after its own retries. */
    const failureOf = async (error: ErrorResponse) => {
      const failing = { executeBulkOperations: async (operations: OperationInput[]) => operations.map((operationInput) => ({ operationInput, error })) };
      const sink = new CosmosDestination(failing, 10).open();
      await sink.write(enrichedOrder());
      return sink.close().then(() => undefined, (thrown: unknown) => (thrown instanceof Error ? thrown.message : String(thrown)));
    };
    // A connection reset is code 500 with the cause only in the message; a throttled upsert's substatus names the limit hit.
    const reset = Object.assign(new ErrorResponse('read ECONNRESET\nRequestStats: {"requestStartTime":"…"}'), { code: 500 });
    const throttled = Object.assign(new ErrorResponse('Request rate is large'), { code: 429, substatus: 3200 });

    expect(await failureOf(reset)).toBe('Cosmos DB rejected 1 of 1 upserts (first: 500, read ECONNRESET)');
    expect(await failureOf(throttled)).toBe('Cosmos DB rejected 1 of 1 upserts (first: 429/3200, Request rate is large)');
    // An operation's result in a bulk response may carry no message: the SDK then leaves the error's message undefined.
    const silent = Object.assign(new ErrorResponse(), { code: 429, substatus: 3200, message: undefined as unknown as string });
    expect(await failureOf(silent)).toBe('Cosmos DB rejected 1 of 1 upserts (first: 429/3200)');
  });

  it('counts as persisted every upsert that succeeded before a batch failed, those of the failed batch too', async () => {
    const items = new FakeCosmosItems();
    // The second batch's last upsert is throttled: the rest of that batch is written all the same.
    const throttlingLast = {
      executeBulkOperations: async (operations: OperationInput[]): Promise<BulkOperationResult[]> => {
        if (items.batchSizes.length === 0) return items.executeBulkOperations(operations);
        const throttled = { operationInput: operations.at(-1)!, response: { statusCode: 429, requestCharge: 0, diagnostics: undefined as never } };
        return [...(await items.executeBulkOperations(operations.slice(0, -1))), throttled];
      },
    };
    const sink = new CosmosDestination(throttlingLast, 10).open();

    for (let i = 0; i < 15; i++) await sink.write(enrichedOrder({ id: `o-${i}` }));
    await expect(sink.close()).rejects.toThrow('Cosmos DB rejected 1 of 5 upserts');

    expect(sink.persisted()).toBe(14);
    expect(items.stored.size).toBe(14);
  });
});
