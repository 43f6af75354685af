import { ValidationError } from '../../exit-codes.js';
import { isWindowsDeviceName } from '../../engine/project-name.js';
import { choiceKey, oneValue } from '../option-kinds.js';
import type { JsonObject } from '../types.js';
import { checkSchedule, normaliseSchedule } from './schedule.js';

export const PAST_DUE_POLICIES = ['run', 'skip'] as const;
export type PastDuePolicy = (typeof PAST_DUE_POLICIES)[number];

/** One job as the user gave it (the manifest keeps the schedule as typed, so regenerating reads alike). */
export interface JobSpec extends JsonObject {
  name: string;
  schedule: string;
  /** Absent: the pattern's `--past-due` default applies. */
  pastDue: PastDuePolicy | null;
}

export const DEFAULT_JOBS: JobSpec[] = [{ name: 'run-report', schedule: 'daily at 02:30', pastDue: null }];

const JOB_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * `--job "name=schedule[|run|skip]; name=schedule…"` from the command line, or an array of
 * `{ name, schedule, pastDue? }` from an answers file. `|` and `;` never occur in a schedule, so the
 * text form needs no quoting rules beyond the shell's.
 */
export function parseJobs(input: unknown): JobSpec[] {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    // A YAML mapping where a list was meant; as text it would read "[object Object]".
    throw new ValidationError('give a list of jobs, each { "name": …, "schedule": …, "pastDue"?: "run" | "skip" } (in YAML, items starting "- name: …"), or a "name=schedule; …" string; got a single object');
  }
  const jobs = Array.isArray(input) ? input.map(jobFromObject) : jobsFromText(String(input));
  if (jobs.length === 0) throw new ValidationError('give at least one job, e.g. "nightly-report=daily at 02:30"');
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.name)) throw new ValidationError(`duplicate job name "${job.name}": every job needs its own name (it names the function)`);
    seen.add(job.name);
  }
  return jobs;
}

function jobsFromText(text: string): JobSpec[] {
  return text
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const equals = item.indexOf('=');
      if (equals < 0) throw new ValidationError(`"${item}" is not name=schedule (e.g. "nightly-report=daily at 02:30|skip")`);
      const [schedule, policy, ...rest] = item.slice(equals + 1).split('|');
      if (rest.length > 0) throw new ValidationError(`"${item}" has more than one "|"; write name=schedule|run or name=schedule|skip`);
      return job(item.slice(0, equals).trim(), schedule!, policy === undefined ? null : policy.trim());
    });
}

function jobFromObject(value: unknown): JobSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('each job is an object { "name": …, "schedule": …, "pastDue": "run" | "skip" }');
  }
  const { name, schedule, pastDue, ...extra } = value as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length > 0) throw new ValidationError(`unknown job field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: name, schedule, pastDue)`);
  if (typeof name !== 'string' || typeof schedule !== 'string') throw new ValidationError('each job needs a "name" and a "schedule" string');
  if (pastDue !== undefined && pastDue !== null && typeof pastDue !== 'string') throw new ValidationError(`job "${name}": pastDue is "run" or "skip"`);
  return job(name, schedule, pastDue ?? null);
}

function job(name: string, schedule: string, pastDue: string | null): JobSpec {
  if (!JOB_NAME.test(name) || name.length > 40) {
    throw new ValidationError(`job name "${name}" must be kebab-case: lowercase letters and digits in words joined by "-", at most 40 characters`);
  }
  if (IMPORTED_NAMES.has(jobExportName(name))) throw new ValidationError(`job name "${name}" is reserved (its export would be ${jobExportName(name)}); choose another`);
  // It names the job's function file (src/functions/<name>.ts), which a Windows clone could not hold.
  if (isWindowsDeviceName(name)) throw new ValidationError(`job name "${name}" is a device name on Windows, where no file can be named ${name}.ts; choose another`);
  try {
    checkSchedule(normaliseSchedule(schedule));
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(`job "${name}": ${error.message}`);
    throw error;
  }
  return { name, schedule: schedule.trim().replace(/\s+/g, ' '), pastDue: pastDue === null ? null : parsePastDue(pastDue, `job "${name}": `) };
}

export function parsePastDue(input: unknown, prefix = ''): PastDuePolicy {
  const typed = oneValue(input, `${prefix}the past-due policy`);
  const value = choiceKey(typed);
  if (!(PAST_DUE_POLICIES as readonly string[]).includes(value)) {
    throw new ValidationError(`${prefix}past-due policy "${typed}" is not one of ${PAST_DUE_POLICIES.join(', ')}`);
  }
  return value as PastDuePolicy;
}

export function formatJobs(jobs: readonly JobSpec[]): string {
  return jobs.map((job) => `${job.name}=${job.schedule}${job.pastDue ? `|${job.pastDue}` : ''}`).join('; ');
}

/** `nightly-report` → `nightlyReportJob`: the job's exported name in its function module. */
export function jobExportName(name: string): string {
  return `${name.replace(/-([a-z0-9])/g, (_, char: string) => char.toUpperCase())}Job`;
}

// Identifiers a job's function module imports; a job's export must not shadow them.
const IMPORTED_NAMES = new Set(['app', 'reportRunHistory', 'scheduledJob']);
