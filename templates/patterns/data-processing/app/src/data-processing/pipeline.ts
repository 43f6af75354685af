import type { Readable } from 'node:stream';
import { sendOrWarn, traceParentOperationId, type CustomTelemetry } from '../shared/custom-telemetry.js';
import { DATA_CONFIG } from './config.js';
import { RecentLineIds } from './duplicates.js';
import type { Enricher } from './enrich.js';
import { mapRecord } from './map.js';
import { parseRecords } from './parse.js';
import { quarantinedRecord, type Quarantine } from './quarantine.js';
import { InvalidInputError } from './records.js';
import { errorMessage } from './retry.js';
import type { RecordDestination } from './sink.js';
import { isFinished, StatusConflictError, type InputSource, type InputStatus, type StatusStore } from './status.js';
import { validateRecord } from './validate.js';

/** One input as the pipeline sees it: how to read it, and where it goes afterwards. */
export interface PipelineInput {
  source: InputSource;
  inputId: string;
  version: string;
  /** The W3C traceparent of the execution processing it, recorded on the status row. */
  traceParent?: string;
  /**
   * How many times the trigger has delivered the input, this time included, where it counts them (a queue's dequeue
   * count): an attempt whose host died before recording it still counts, so the last delivery the trigger makes is
   * the one that poisons the input.
   */
  deliveryCount?: number;
  open(): Promise<Readable>;
  /**
   * Moves the processed input to the archive. `superseded`: a new version had replaced it, so nothing was
   * moved and the new version is left in place to run as its own input.
   */
  archive(): Promise<'superseded' | void>;
  /** Moves an input that keeps failing aside, with the reason; `superseded` as for `archive`. */
  poison(reason: string): Promise<'superseded' | void>;
}

export interface PipelineDependencies {
  status: StatusStore;
  quarantine: Quarantine;
  enricher: Enricher;
  destination: RecordDestination;
  /** Where the custom event the poison alert counts goes (AppEvents), which no sampling drops. */
  telemetry: CustomTelemetry;
  now?: () => Date;
}

export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export type PipelineOutcome = { outcome: 'completed' | 'skipped' | 'poisoned' | 'superseded'; status: InputStatus };

/**
 * parse → validate → map → enrich → persist, one record at a time, then archive. Every step is recorded in
 * the input's status row, so a run can be audited and resumed: an input seen before with the same version
 * is skipped once archived, and persisted rows are upserts, so a rerun after a crash rewrites, never duplicates.
 * Every status write is conditional on the row being as this execution last left it: of two executions of the
 * same input at once (a duplicate delivery), the one that wrote the row last carries on, and the other stops at
 * its next write, without recording a failure over the other's progress or moving the input twice. Stopped by a
 * run of another version, an execution fails instead, so its input is tried again rather than dropped.
 *
 * A failure is rethrown so the trigger retries (queue dequeue, Event Grid redelivery, Event Hubs retry
 * policy); after `maxAttempts` the input is moved to the poison container instead, with the reason. An input
 * that cannot be read at all (InvalidInputError) is poisoned at the first attempt: retrying cannot fix it.
 */
export async function processInput(input: PipelineInput, deps: PipelineDependencies, log: Logger): Promise<PipelineOutcome> {
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const previous = await deps.status.get(input.source, input.inputId);
  const sameInput = previous?.version === input.version;
  if (sameInput && isFinished(previous)) {
    log.info(`Data pipeline skipped ${input.inputId}: already ${previous.poisonedAt ? 'poisoned' : previous.state}`);
    return { outcome: 'skipped', status: previous };
  }

  const started = Date.now();
  const status: InputStatus = {
    source: input.source,
    inputId: input.inputId,
    version: input.version,
    state: 'received',
    attempts: Math.max((sameInput ? previous.attempts : 0) + 1, input.deliveryCount ?? 0),
    traceParent: input.traceParent,
    records: 0,
    valid: 0,
    quarantined: 0,
    // Records an earlier attempt of this version persisted are still in the destination, whatever this one does.
    persisted: sameInput ? previous.persisted : 0,
    receivedAt: sameInput ? previous.receivedAt : now(),
  };
  if (sameInput && previous.processedAt) {
    // Persisted before (then archiving failed or the host stopped): only the archive step is left to do. Every
    // write keeps the counts, so a run that stops after moving the input leaves a row that can still be settled.
    const { records, valid, quarantined, persisted, validatedAt, processedAt } = previous;
    Object.assign(status, { state: 'processed', records, valid, quarantined, persisted, validatedAt, processedAt });
  }
  // The last attempt failed, and its host stopped before the input was poisoned or that was recorded: finish the
  // poisoning rather than run it again, so a redelivered input does not end up both archived and in poison.
  const lastFailure = sameInput && previous.state === 'failed' && previous.attempts >= DATA_CONFIG.maxAttempts ? previous : undefined;
  if (lastFailure) {
    const { attempts, records, valid, quarantined, persisted, failedAt, error } = lastFailure;
    Object.assign(status, { state: 'failed', attempts, records, valid, quarantined, persisted, failedAt, error });
  }
  let etag = previous?.etag;
  const save = async () => {
    etag = await deps.status.save(status, etag);
  };

  try {
    await save();
    const run = { status, save, now, started, earlierAttempt: sameInput };
    return await (lastFailure ? poisonAndRecord(input, deps, log, run, lastFailure.error ?? 'failed') : runAndRecord(input, deps, log, run));
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
    // A run of another version (a file uploaded again) took the row: fail, so the trigger retries this input later.
    if ((await deps.status.get(input.source, input.inputId))?.version !== input.version) throw error;
    log.warn(`Data pipeline left ${input.inputId} to another execution that is processing the same input: ${error.message}`);
    return { outcome: 'skipped', status };
  }
}

interface Run {
  status: InputStatus;
  save(): Promise<void>;
  now(): string;
  started: number;
  /** An earlier attempt of this version recorded its start, and may have quarantined records. */
  earlierAttempt: boolean;
}

async function runAndRecord(input: PipelineInput, deps: PipelineDependencies, log: Logger, run: Run): Promise<PipelineOutcome> {
  const { status, save, now, started } = run;
  try {
    if (!status.processedAt) await runStages(input, deps, run);
    const superseded = (await input.archive()) === 'superseded';
    Object.assign(status, superseded ? { state: 'superseded', supersededAt: now() } : { state: 'archived', archivedAt: now() }, { error: undefined });
    await save();
    // Logged for a superseded input too: its records were persisted, and the alerts count them from this line.
    logCompleted(log, status, Date.now() - started);
    return { outcome: superseded ? 'superseded' : 'completed', status };
  } catch (error) {
    // Another execution owns the input now: recording a failure, or poisoning it, is for that one to decide.
    if (error instanceof StatusConflictError) throw error;
    const reason = errorMessage(error);
    Object.assign(status, { state: 'failed', failedAt: now(), error: reason });
    // Saved before the input is poisoned: the save fails if another execution took the input over meanwhile.
    await save();
    if (status.attempts < DATA_CONFIG.maxAttempts && !(error instanceof InvalidInputError)) {
      log.warn(`Data pipeline attempt ${status.attempts} of ${DATA_CONFIG.maxAttempts} failed for ${input.inputId}: ${reason}`);
      throw error;
    }
    return poisonAndRecord(input, deps, log, run, reason);
  }
}

/** Moves a failed input aside with the reason, and records it poisoned (or superseded, if a new version replaced it). */
async function poisonAndRecord(input: PipelineInput, deps: PipelineDependencies, log: Logger, { status, save, now }: Run, reason: string): Promise<PipelineOutcome> {
  if ((await input.poison(reason)) === 'superseded') {
    Object.assign(status, { state: 'superseded', supersededAt: now() });
    await save();
    return { outcome: 'superseded', status };
  }
  Object.assign(status, { poisonedAt: now() });
  await save();
  await reportPoisoned(log, status, deps.telemetry);
  return { outcome: 'poisoned', status };
}

/** Lines whose ids an input remembers to catch repeats (`duplicates.ts`): about 5 MB at most, whatever the input's size. */
const REMEMBERED_LINES = 20_000;

async function runStages(input: PipelineInput, deps: PipelineDependencies, { status, save, now, earlierAttempt }: Run): Promise<void> {
  // The earlier attempt stopped before persisting, and may have rejected records that are valid now (reference
  // data changed, an enrich failure passed): its rows go, so the partition lists this attempt's rejections only.
  if (earlierAttempt) await deps.quarantine.clear(input.inputId, input.version);
  const quarantine = deps.quarantine.open(input.inputId, input.version);
  const sink = deps.destination.open({ source: input.source, inputId: input.inputId, version: input.version });
  const reject = (recordNumber: number, reason: string, record: unknown) => quarantine.add(quarantinedRecord(input.inputId, recordNumber, reason, record));
  const lineIds = new RecentLineIds(REMEMBERED_LINES);

  try {
    for await (const parsed of parseRecords(await input.open())) {
      status.records++;
      if ('error' in parsed) {
        await reject(parsed.recordNumber, parsed.error, parsed.raw);
        continue;
      }
      const validation = validateRecord(parsed.value);
      if (!validation.ok) {
        await reject(parsed.recordNumber, validation.reason, parsed.raw ?? parsed.value);
        continue;
      }
      const enrichment = await deps.enricher.enrich(mapRecord(validation.record));
      if (!enrichment.ok) {
        await reject(parsed.recordNumber, enrichment.reason, parsed.raw ?? parsed.value);
        continue;
      }
      const earlier = lineIds.claim(enrichment.record.id, parsed.recordNumber);
      if (earlier !== undefined) {
        await reject(parsed.recordNumber, `duplicate order line: record ${earlier} has the same orderId and sku`, parsed.raw ?? parsed.value);
        continue;
      }
      status.valid++;
      await sink.write(enrichment.record);
    }

    status.quarantined = await quarantine.flush();
    Object.assign(status, { state: 'validated', validatedAt: now() });
    await save();

    status.persisted = await sink.close();
  } catch (error) {
    // The failure is recorded with what reached the destination before it: the operator's to clean up, or a replay's to rewrite.
    status.persisted = Math.max(status.persisted, sink.persisted());
    throw error;
  }
  Object.assign(status, { state: 'processed', processedAt: now() });
  await save();
}

/** The one line per completed input that the alerts parse (records, quarantined and persisted counts). */
export function logCompleted(log: Logger, status: InputStatus, durationMs: number): void {
  log.info(
    `Data pipeline completed: input=${status.inputId} records=${status.records} quarantined=${status.quarantined} ` +
      `persisted=${status.persisted} durationMs=${durationMs}`,
  );
}

/**
 * The custom event the `data-poison-backlog` alert counts (AppEvents): the host samples log lines under load, and the
 * one line a poisoned input logs could be dropped where a single poisoned input must page.
 */
export const POISONED_EVENT = 'DataInputPoisoned';

/**
 * Logs a poisoned input, for people, and sends the event the alert counts, tied to the execution that poisoned it.
 * A failure to send is a warning: the input is moved and recorded.
 */
export async function reportPoisoned(log: Logger, status: InputStatus, telemetry: CustomTelemetry): Promise<void> {
  log.error(`Data pipeline moved input to poison: input=${status.inputId} attempts=${status.attempts} reason=${status.error}`);
  const properties = { source: status.source, inputId: status.inputId, attempts: String(status.attempts), reason: (status.error ?? '').slice(0, 1000) };
  const time = new Date(status.poisonedAt ?? Date.now());
  await sendOrWarn(telemetry, [{ kind: 'event', name: POISONED_EVENT, time, properties, operationId: traceParentOperationId(status.traceParent) }], log);
}
