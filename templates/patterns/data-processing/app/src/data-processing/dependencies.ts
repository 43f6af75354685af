import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { customTelemetryFromEnvironment } from '../shared/custom-telemetry.js';
import { blobServiceClient, tableClient } from '../shared/storage-clients.js';
import { DATA_CONFIG } from './config.js';
import { DEFAULT_ENRICHER_OPTIONS, Enricher, parseReferenceData, type ReferenceSource } from './enrich.js';
import { createDestination } from './persist.js';
import type { PipelineDependencies } from './pipeline.js';
import { TableQuarantine } from './quarantine.js';
import type { RecordDestination } from './sink.js';
import { TableStatusStore } from './status.js';

type Settings = Readonly<Record<string, string | undefined>>;

/** Reference data is a JSON array in a blob: small, read whole, cached by the enricher. */
export function blobReferenceSource(settings: Settings = process.env): ReferenceSource {
  const blob = blobServiceClient(DATA_CONFIG.storageConnection, settings)
    .getContainerClient(DATA_CONFIG.referenceContainer)
    .getBlobClient(DATA_CONFIG.referenceBlob);
  return {
    async load(signal) {
      return parseReferenceData(await blob.downloadToBuffer(0, undefined, { abortSignal: signal }));
    },
  };
}

/** What a function handler needs: the pipeline's stores and the app's blob containers and tables. */
export interface DataEnvironment {
  deps: PipelineDependencies;
  container(name: string): ContainerClient;
  table(name: string): TableClient;
}

export function dataEnvironment(settings: Settings = process.env, destination: RecordDestination = createDestination(settings)): DataEnvironment {
  return {
    deps: {
      status: new TableStatusStore(tableClient(DATA_CONFIG.statusTable, DATA_CONFIG.storageConnection, settings)),
      quarantine: new TableQuarantine(tableClient(DATA_CONFIG.quarantineTable, DATA_CONFIG.storageConnection, settings)),
      enricher: new Enricher(blobReferenceSource(settings), DEFAULT_ENRICHER_OPTIONS),
      destination,
      telemetry: customTelemetryFromEnvironment(settings),
    },
    container: (name) => blobServiceClient(DATA_CONFIG.storageConnection, settings).getContainerClient(name),
    table: (name) => tableClient(name, DATA_CONFIG.storageConnection, settings),
  };
}

let processEnvironment: DataEnvironment | undefined;

/** One environment per process: the enricher's cache is what makes reference data load once per instance. */
export function defaultDataEnvironment(): DataEnvironment {
  processEnvironment ??= dataEnvironment();
  return processEnvironment;
}
