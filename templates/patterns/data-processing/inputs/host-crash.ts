import type { DataEnvironment } from '../../../src/data-processing/dependencies.js';
import type { InputStatus } from '../../../src/data-processing/status.js';

/**
 * The pipeline's steps that leave something in storage, in order. Dying just before one leaves every earlier
 * step done and this one not: together they are every point at which a host can stop mid-input.
 */
export const PIPELINE_STEPS = [
  'record received',
  'write quarantine',
  'record validated',
  'persist records',
  'record processed',
  'record archived',
] as const;
/** The steps of the last attempt of an input that keeps failing, after its records failed to persist. */
export const POISON_STEPS = ['record failed', 'record poisoned'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number] | (typeof POISON_STEPS)[number];

/** Which status write each step is (poisoning is recorded twice: failed, then the same row with poisonedAt). */
const STATUS_WRITES: Partial<Record<PipelineStep, (row: InputStatus) => boolean>> = {
  'record received': (row) => row.state === 'received',
  'record validated': (row) => row.state === 'validated',
  'record processed': (row) => row.state === 'processed',
  'record archived': (row) => row.state === 'archived',
  'record failed': (row) => row.state === 'failed' && row.poisonedAt === undefined,
  'record poisoned': (row) => row.poisonedAt !== undefined,
};

/**
 * The environment of a host that dies when the pipeline reaches `step`: that call never returns and never reaches
 * storage, so the invocation is abandoned mid-input as a killed process leaves it. `died` resolves then.
 */
export function dyingAt(step: PipelineStep, { deps, ...environment }: DataEnvironment) {
  let signalDeath = () => {};
  const died = new Promise<void>((resolve) => (signalDeath = resolve));
  const die = (): Promise<never> => {
    signalDeath();
    return new Promise<never>(() => {});
  };
  const dying: DataEnvironment = {
    ...environment,
    deps: {
      ...deps,
      status: {
        get: (source, inputId) => deps.status.get(source, inputId),
        save: (status, etag) => (STATUS_WRITES[step]?.(status) ? die() : deps.status.save(status, etag)),
      },
      quarantine: {
        open: (inputId, version) => {
          const writer = deps.quarantine.open(inputId, version);
          return { add: (record) => writer.add(record), flush: () => (step === 'write quarantine' ? die() : writer.flush()) };
        },
        clear: (inputId, version) => deps.quarantine.clear(inputId, version),
      },
      destination: {
        open: (input) => {
          const sink = deps.destination.open(input);
          return { write: (record) => sink.write(record), close: () => (step === 'persist records' ? die() : sink.close()), persisted: () => sink.persisted() };
        },
      },
    },
  };
  return { environment: dying, died };
}
