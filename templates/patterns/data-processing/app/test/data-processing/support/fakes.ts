import { Readable } from 'node:stream';
import { Enricher, type Customer } from '../../../src/data-processing/enrich.js';
import type { PipelineDependencies, PipelineInput } from '../../../src/data-processing/pipeline.js';
import type { QuarantinedRecord } from '../../../src/data-processing/quarantine.js';
import type { EnrichedOrderRecord } from '../../../src/data-processing/records.js';
import type { RecordDestination } from '../../../src/data-processing/sink.js';
import { StatusConflictError, type InputSource, type InputStatus, type StoredStatus } from '../../../src/data-processing/status.js';
import { CUSTOMERS } from './orders.js';
import { recordingIngestion } from '../../support/recording-ingestion.js';

/** A destination that is down: it refuses every record. */
export const unavailableDestination: RecordDestination = {
  open: () => ({ write: async () => Promise.reject(new Error('destination unavailable')), close: async () => 0, persisted: () => 0 }),
};

/** In-memory stand-ins for the pipeline's stores: the stage logic is tested without storage. */
export function memoryDependencies(customers: Customer[] = CUSTOMERS) {
  const statuses = new Map<string, StoredStatus>();
  let writes = 0;
  const history: InputStatus[] = [];
  const quarantined: QuarantinedRecord[] = [];
  const persisted = new Map<string, EnrichedOrderRecord>();
  const ingestion = recordingIngestion();
  const deps: PipelineDependencies = {
    telemetry: ingestion.telemetry,
    status: {
      get: async (source: InputSource, inputId: string) => {
        const row = statuses.get(`${source}|${inputId}`);
        return row && { ...row };
      },
      // Conditional like the table's: a write names the ETag it last saw.
      save: async (status: InputStatus, etag: string | undefined) => {
        const key = `${status.source}|${status.inputId}`;
        if (statuses.get(key)?.etag !== etag) throw new StatusConflictError(`another execution updated the status of ${status.inputId}`);
        const next = String(++writes);
        statuses.set(key, { ...status, etag: next });
        history.push({ ...status });
        return next;
      },
    },
    quarantine: {
      open: () => {
        let count = 0;
        return {
          add: async (record: QuarantinedRecord) => {
            quarantined.push(record);
            count++;
          },
          flush: async () => count,
        };
      },
      clear: async (inputId: string) => {
        quarantined.splice(0, quarantined.length, ...quarantined.filter((record) => record.inputId !== inputId));
      },
    },
    enricher: new Enricher({ load: async () => customers }, { attempts: 1, timeoutMs: 1_000, baseDelayMs: 0, ttlMs: 60_000 }),
    destination: {
      open: () => {
        let count = 0;
        return {
          write: async (record: EnrichedOrderRecord) => {
            persisted.set(record.id, record);
            count++;
          },
          close: async () => count,
          persisted: () => count,
        };
      },
    },
  };
  return { deps, statuses, history, quarantined, persisted, ingestion };
}

/** An input whose archive and poison steps are recorded instead of moving blobs. */
export function memoryInput(payload: string, overrides: Partial<PipelineInput> = {}) {
  const moves: string[] = [];
  const input: PipelineInput = {
    source: 'blob',
    inputId: 'incoming/orders',
    version: 'v1',
    open: async () => Readable.from([Buffer.from(payload)]),
    archive: async () => {
      moves.push('archive');
    },
    poison: async (reason) => {
      moves.push(`poison: ${reason}`);
    },
    ...overrides,
  };
  return { input, moves };
}

export const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
