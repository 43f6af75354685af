import { createRequire } from 'node:module';
import type { ModelBindingData, ResourceFactoryResolver as FactoryRegistry } from '@azure/functions-extensions-base';
import type { BlobClient } from '@azure/storage-blob';
import { z } from 'zod';
import { blobServiceClient } from '../shared/storage-clients.js';

type Settings = Readonly<Record<string, string | undefined>>;

/** The `source` the blobs extension sets on the model binding data of a blob trigger with `sdkBinding: true`. */
export const BLOB_BINDING_SOURCE = 'AzureStorageBlobs';

/** What the blobs extension sends instead of the content: which connection, container and blob. */
const blobReferenceSchema = z.object({
  Connection: z.string().min(1),
  ContainerName: z.string().min(1),
  BlobName: z.string().min(1),
});

/**
 * Turns the blob trigger's model binding data into a BlobClient on the app's own storage clients (Azurite
 * locally, the managed identity in Azure), so the function streams the blob instead of receiving it whole.
 */
export function blobClientFromBindingData(data: ModelBindingData | ModelBindingData[], settings: Settings = process.env): BlobClient {
  if (Array.isArray(data)) throw new Error('blob trigger binding data: expected one blob per invocation, got a collection');
  if (!data.content) throw new Error('blob trigger binding data has no content: expected {"Connection","ContainerName","BlobName"} JSON');
  let reference: unknown;
  try {
    reference = JSON.parse(Buffer.from(data.content).toString('utf8'));
  } catch (error) {
    throw new Error(`blob trigger binding data is not JSON: ${(error as Error).message}`);
  }
  const parsed = blobReferenceSchema.safeParse(reference);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).filter(Boolean);
    const problem = fields.length > 0 ? `lacks a valid ${fields.join(', ')}` : 'is not a JSON object';
    throw new Error(`blob trigger binding data ${problem}: expected {"Connection","ContainerName","BlobName"}`);
  }
  const { Connection, ContainerName, BlobName } = parsed.data;
  return blobServiceClient(Connection, settings).getContainerClient(ContainerName).getBlobClient(BlobName);
}

/**
 * The registry @azure/functions asks for a client when a trigger delivers model binding data. It loads the
 * CommonJS build of @azure/functions-extensions-base; that package's ESM build is a separate copy with its
 * own, empty registry. So the factory goes to the very module @azure/functions requires.
 */
function functionsFactoryRegistry(): FactoryRegistry {
  const requireFromFunctions = createRequire(createRequire(import.meta.url).resolve('@azure/functions'));
  const base = requireFromFunctions('@azure/functions-extensions-base') as typeof import('@azure/functions-extensions-base');
  return base.ResourceFactoryResolver.getInstance();
}

/** Lets a blob trigger declared with `sdkBinding: true` receive a BlobClient. Safe to call more than once. */
export function registerBlobClientFactory(): void {
  const registry = functionsFactoryRegistry();
  if (!registry.hasResourceFactory(BLOB_BINDING_SOURCE)) {
    registry.registerResourceFactory(BLOB_BINDING_SOURCE, (data) => blobClientFromBindingData(data));
  }
}
