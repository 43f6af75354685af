import type { PatternId } from './patterns/types.js';

/** What the questionnaire learns about the workload before it recommends patterns. */
export interface Workload {
  requestResponse: boolean;
  reactsToEvents: boolean;
  runsOnSchedule: boolean;
  transformsData: boolean;
  volume: 'low' | 'moderate' | 'high' | 'very-high';
  latency: 'interactive' | 'seconds' | 'minutes';
  ordering: boolean;
}

export interface Recommendation {
  id: PatternId;
  reasons: string[];
  /** Answers the questionnaire offers as the defaults of this pattern's options, for what the workload needs. */
  offered?: Record<string, unknown>;
}

/** The workload questions, in the order asked; each maps onto one field of Workload. */
export const WORKLOAD_QUESTIONS = {
  requestResponse: 'Will clients (browsers, apps, other services) call it over HTTP and wait for an answer?',
  reactsToEvents: 'Does it react to events or messages from other systems (Event Grid, Service Bus, Event Hubs, queues)?',
  runsOnSchedule: 'Does work need to run on a schedule (every N minutes, nightly, monthly)?',
  transformsData: 'Does it transform files or records (import, export, ETL) into a store?',
  volume: 'Expected volume at peak?',
  latency: 'How quickly must work be done once it arrives?',
  ordering: 'Must related messages be processed in the order they were sent?',
} as const satisfies Record<keyof Workload, string>;

/** The answers assumed for a question that is not asked. */
export const WORKLOAD_DEFAULTS = { volume: 'moderate', latency: 'seconds', ordering: false } as const satisfies Partial<Workload>;

/**
 * Whether a question can change the recommendation, given the yes/no answers (and volume) before it: the
 * questionnaire skips the others instead of asking what `recommendPatterns` would ignore.
 */
export const WORKLOAD_RELEVANT = {
  volume: (w: Workload) => w.requestResponse || w.reactsToEvents,
  latency: (w: Workload) => w.requestResponse || w.transformsData,
  ordering: (w: Workload) => w.reactsToEvents || (w.requestResponse && w.volume === 'very-high'),
} as const satisfies Record<keyof typeof WORKLOAD_DEFAULTS, (workload: Workload) => boolean>;

export const VOLUME_CHOICES = [
  { value: 'low', name: 'low — under 1 request or event per second' },
  { value: 'moderate', name: 'moderate — up to ~100 per second' },
  { value: 'high', name: 'high — hundreds to thousands per second' },
  { value: 'very-high', name: 'very high — bursts beyond thousands per second' },
] as const;

export const LATENCY_CHOICES = [
  { value: 'interactive', name: 'interactive — a person is waiting (sub-second)' },
  { value: 'seconds', name: 'seconds' },
  { value: 'minutes', name: 'minutes or more is fine' },
] as const;

/**
 * Walks the selection matrix: each "yes" maps to the pattern built for it, and volume, latency and ordering
 * add the reasons a person needs to trust (or overrule) the choice. Pure, so it is tested without prompts.
 */
export function recommendPatterns(workload: Workload): Recommendation[] {
  const recommendations: Recommendation[] = [];
  const heavy = workload.volume === 'high' || workload.volume === 'very-high';

  if (workload.requestResponse) {
    recommendations.push({
      id: 'http-api',
      reasons: [
        'clients call it and wait for an answer: a RESTful API with validation and problem+json errors',
        ...(workload.latency === 'interactive' ? ['interactive latency: HTTP answers directly, no queue in between'] : []),
        ...(heavy && !workload.reactsToEvents ? ['at high volume, consider moving slow work behind a queue (Event Processing)'] : []),
      ],
    });
  }
  if (workload.reactsToEvents || (workload.requestResponse && workload.volume === 'very-high')) {
    recommendations.push({
      id: 'event-processing',
      reasons: [
        workload.reactsToEvents ? 'it reacts to events from other systems: asynchronous handlers with retries and dead-lettering' : 'very high request volume: buffer work in a queue and process it asynchronously',
        ...(heavy ? ['Very High scalability: consumers scale out per partition or message count'] : []),
        ...(workload.ordering ? ['ordering: Service Bus sessions keep related messages in order (offered below; Event Hubs partition keys do too)'] : []),
      ],
      // Storage queues and Event Grid, the other sources, do not preserve order.
      ...(workload.ordering ? { offered: { eventSources: ['servicebus'], ordering: 'ordered' } } : {}),
    });
  }
  if (workload.runsOnSchedule) {
    recommendations.push({ id: 'scheduled-tasks', reasons: ['work runs on a schedule: timer jobs with past-due handling and execution tracking'] });
  }
  if (workload.transformsData) {
    recommendations.push({
      id: 'data-processing',
      reasons: [
        'files or records are transformed: a parse → validate → map → enrich → persist pipeline',
        ...(workload.latency === 'minutes' ? ['minutes of latency is fine: batch files through blob storage'] : []),
      ],
    });
  }
  if (recommendations.length === 0) {
    recommendations.push({ id: 'http-api', reasons: ['nothing specific was chosen: an HTTP API is the simplest starting point (Low complexity)'] });
  }
  return recommendations;
}
