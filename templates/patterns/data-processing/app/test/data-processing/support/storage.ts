import { DATA_CONFIG } from '../../../src/data-processing/config.js';
import { dataEnvironment } from '../../../src/data-processing/dependencies.js';
import { blobServiceClient, tableClient } from '../../../src/shared/storage-clients.js';
import { recordingIngestion } from '../../support/recording-ingestion.js';
import { CUSTOMERS } from './orders.js';
import { testDestination } from './test-destination.js';

/**
 * Uploads the reference data to Azurite and returns a data environment wired to it, plus a reader for
 * persisted records. Nothing else is created here: the app creates its own tables and containers on first
 * use, as it must on a fresh local Azurite.
 */
export async function azuriteEnvironment(connectionString: string) {
  const settings = { [DATA_CONFIG.storageConnection]: connectionString };
  const blobs = blobServiceClient(DATA_CONFIG.storageConnection, settings);
  const reference = JSON.stringify(CUSTOMERS);
  const referenceContainer = blobs.getContainerClient(DATA_CONFIG.referenceContainer);
  await referenceContainer.createIfNotExists();
  await referenceContainer.getBlockBlobClient(DATA_CONFIG.referenceBlob).upload(reference, Buffer.byteLength(reference));
  const { destination, persisted } = await testDestination(settings);
  const environment = dataEnvironment(settings, destination);
  // What the app sends to Application Insights, received by a fake fetch.
  const ingestion = recordingIngestion();
  return {
    settings,
    environment: { ...environment, deps: { ...environment.deps, telemetry: ingestion.telemetry } },
    ingestion,
    persisted,
    blobs,
    quarantineTable: tableClient(DATA_CONFIG.quarantineTable, DATA_CONFIG.storageConnection, settings),
  };
}
