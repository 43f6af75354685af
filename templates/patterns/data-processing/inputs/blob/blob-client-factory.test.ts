import { describe, expect, it } from 'vitest';
import { BLOB_BINDING_SOURCE, blobClientFromBindingData } from '../../src/data-processing/blob-client-factory.js';

/** Model binding data as the blobs extension sends it for a trigger with `sdkBinding: true`. */
function bindingData(reference: unknown) {
  return { source: BLOB_BINDING_SOURCE, contentType: 'application/json', content: Buffer.from(JSON.stringify(reference)) };
}

const blobReference = { Connection: 'AzureWebJobsStorage', ContainerName: 'incoming', BlobName: 'orders/2026 11/a.csv' };
/** A bare blob path, where the extension sends a JSON reference. */
const bareBlobPath = 'incoming/a.csv';

describe('blob client factory', () => {
  it('builds a client for the named container and blob on the local connection string', () => {
    const blob = blobClientFromBindingData(bindingData(blobReference), { AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect([blob.containerName, blob.name]).toEqual(['incoming', 'orders/2026 11/a.csv']);
    expect(blob.url).toBe('http://127.0.0.1:10000/devstoreaccount1/incoming/orders/2026%2011/a.csv');
  });

  it('builds it on the blob service URI in Azure, where the managed identity authenticates', () => {
    const blob = blobClientFromBindingData(bindingData(blobReference), { AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net' });
    expect(blob.url).toBe('https://acct.blob.core.windows.net/incoming/orders/2026%2011/a.csv');
  });

  it.each([
    ['no content', { source: BLOB_BINDING_SOURCE, content: null }, 'blob trigger binding data has no content'],
    ['content that is not JSON', { source: BLOB_BINDING_SOURCE, content: Buffer.from(bareBlobPath) }, 'blob trigger binding data is not JSON'],
    ['a reference without a blob name', bindingData({ Connection: 'AzureWebJobsStorage', ContainerName: 'incoming' }), 'blob trigger binding data lacks a valid BlobName'],
    ['JSON that is not an object', bindingData(bareBlobPath), 'blob trigger binding data is not a JSON object'],
    ['a collection', [bindingData(blobReference)], 'expected one blob per invocation'],
  ])('rejects %s with a message that names the problem', (_case, data, message) => {
    expect(() => blobClientFromBindingData(data, { AzureWebJobsStorage: 'UseDevelopmentStorage=true' })).toThrow(message);
  });

  it('names the connection setting it could not find', () => {
    expect(() => blobClientFromBindingData(bindingData({ ...blobReference, Connection: 'OrdersStorage' }), {})).toThrow('storage connection "OrdersStorage" is not configured');
  });
});
