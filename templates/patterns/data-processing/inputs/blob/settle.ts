import { logCompleted, reportPoisoned, type Logger, type PipelineDependencies, type PipelineOutcome } from './pipeline.js';
import { isFinished, StatusConflictError, type InputSource, type InputStatus } from './status.js';

/** Where a copy of an input's version was found once its source was gone, if anywhere. */
export type MovedCopy = 'archive' | 'poison' | undefined;

/**
 * Records where an input went when a delivery finds its source gone. An execution that moved the input to the
 * archive or to poison and stopped before recording it (the host stopped, a status write failed) left its row
 * at processed or failed, and later deliveries find nothing to run: the moved copy of the row's version says
 * where the input went. Returns undefined when there is nothing to record: no row, a finished row, or no copy
 * of its version (the source was deleted, not moved).
 */
export async function settleMovedInput(
  source: InputSource,
  inputId: string,
  findCopy: (version: string) => Promise<MovedCopy>,
  deps: PipelineDependencies,
  log: Logger,
): Promise<PipelineOutcome | undefined> {
  const stored = await deps.status.get(source, inputId);
  if (!stored || isFinished(stored)) return undefined;
  const { etag, ...row } = stored;
  const copy = await findCopy(row.version);
  if (!copy) return undefined;

  const now = deps.now?.() ?? new Date();
  const status: InputStatus =
    copy === 'archive' ? { ...row, state: 'archived', archivedAt: now.toISOString(), error: undefined } : { ...row, poisonedAt: now.toISOString() };
  try {
    await deps.status.save(status, etag);
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
    // The execution that moved it was only slow, not stopped: it recorded the move itself.
    log.warn(`Data pipeline left ${inputId} to the execution that moved it: ${error.message}`);
    return { outcome: 'skipped', status: row };
  }
  if (copy === 'poison') {
    await reportPoisoned(log, status, deps.telemetry);
    return { outcome: 'poisoned', status };
  }
  // The stopped run never logged its completion; its duration is unknown, so the time since it was received stands in.
  logCompleted(log, status, now.getTime() - Date.parse(status.receivedAt));
  return { outcome: 'completed', status };
}
