import { DATA_CONFIG, DATA_CONTAINERS } from '../../../src/data-processing/config.js';
import { dataEnvironment } from '../../../src/data-processing/dependencies.js';
import { blobServiceClient, tableClient } from '../../../src/shared/storage-clients.js';
import { CUSTOMERS } from './orders.js';
import { testDestination } from './test-destination.js';

/**
 * Creates on Azurite what infra/modules/data-processing.bicep creates in Azure (containers, tables), uploads
 * the reference data and returns a data environment wired to it, plus a reader for persisted records.
 */
export async function azuriteEnvironment(connectionString: string) {
  const settings = { [DATA_CONFIG.storageConnection]: connectionString };
  const blobs = blobServiceClient(DATA_CONFIG.storageConnection, settings);
  for (const name of DATA_CONTAINERS) {
    await blobs.getContainerClient(name).createIfNotExists();
  }
  for (const name of [DATA_CONFIG.statusTable, DATA_CONFIG.quarantineTable]) {
    await tableClient(name, DATA_CONFIG.storageConnection, settings).createTable();
  }
  const reference = JSON.stringify(CUSTOMERS);
  await blobs.getContainerClient(DATA_CONFIG.referenceContainer).getBlockBlobClient(DATA_CONFIG.referenceBlob).upload(reference, Buffer.byteLength(reference));
  const { destination, persisted } = await testDestination(settings);
  return {
    settings,
    environment: dataEnvironment(settings, destination),
    persisted,
    blobs,
    quarantineTable: tableClient(DATA_CONFIG.quarantineTable, DATA_CONFIG.storageConnection, settings),
  };
}
