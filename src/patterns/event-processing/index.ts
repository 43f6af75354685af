import { textOption } from '../option-kinds.js';
import { ValidationError } from '../../exit-codes.js';
import { definePattern, emptyContribution, failureRateAlert, type AppSetting, type JsonObject, type JsonValue, type LogAlert, type TemplateFile } from '../types.js';
import {
  EVENT_SOURCES,
  EVENT_STYLES,
  ORDERING_MODES,
  SERVICE_BUS_ENTITIES,
  parseChoice,
  parseChoiceList,
  parseEventHubName,
  parseFieldName,
  parseServiceBusEntityName,
  parseStorageQueueName,
  type EventSource,
  type EventStyle,
  type OrderingMode,
  type ServiceBusEntity,
} from './options.js';

type EventProcessingOptions = {
  eventSources: EventSource[];
  eventStyles: EventStyle[];
  aggregationKey: string;
  aggregationValue: string;
  ordering: OrderingMode;
  serviceBusEntity: ServiceBusEntity;
  serviceBusEntityName: string;
  eventHubName: string;
  storageQueueName: string;
};

const TEMPLATES = 'patterns/event-processing';
/** Destinations of the fan-out style; their names are reserved for it. */
const FAN_OUT_TARGETS = ['notifications', 'audit'] as const;
/**
 * Event types the filtering style accepts. The same value reaches the code, the Service Bus subscription rule and
 * the Event Grid advanced filter, so the server-side and in-code filters agree.
 */
const ACCEPTED_TYPE_PREFIX = 'com.example.';

const SERVICE_BUS_CONNECTION = 'EventsServiceBus';
/** Table names: letters and digits only. */
const TABLES = { processed: 'processedevents', aggregates: 'eventaggregates', eventHubAttempts: 'eventhubattempts' };
const EVENT_HUBS_CONNECTION = 'EventsEventHubs';

const list = (values: readonly string[]) => values.join(',');
// The questionnaire asks for an option only where the sources and styles chosen before it use it.
const chose = (key: 'eventSources' | 'eventStyles', ...values: string[]) => (earlier: Readonly<Record<string, JsonValue>>) =>
  Array.isArray(earlier[key]) && values.some((value) => (earlier[key] as JsonValue[]).includes(value));
const labels: Record<EventSource | EventStyle, string> = {
  eventgrid: 'Event Grid custom topic (CloudEvents 1.0), push delivery',
  servicebus: 'Service Bus queue or topic subscription, optional sessions',
  eventhubs: 'Event Hubs hub and consumer group, batched',
  'storage-queue': 'Storage queue in the app\'s storage account (no extra resource)',
  filtering: 'Filtering: drop events by type and attributes (in code and server-side)',
  transformation: 'Transformation: typed mapping to a domain event',
  'fan-out': 'Fan-out: one event to several queues, sent before the event counts as processed',
  aggregation: 'Aggregation: counts and sums per key per time window (Table storage)',
};

export const eventProcessing = definePattern<EventProcessingOptions>({
  id: 'event-processing',
  title: 'Event Processing',
  summary: 'Handlers for Event Grid, Service Bus, Event Hubs and storage queue events with idempotency, retry and dead-lettering.',
  matrix: { useCase: 'Async', scalability: 'Very High', complexity: 'Medium' },
  options: {
    eventSources: {
      flag: '--event-sources <list>',
      description: `event sources, comma-separated (${list(EVENT_SOURCES)})`,
      // Cheapest useful default: a queue in the storage account the app already has, no fixed monthly cost,
      // and fully testable against Azurite.
      defaultValue: ['storage-queue'],
      parse: (input) => parseChoiceList(input, EVENT_SOURCES, 'event source'),
      format: list,
      prompt: { kind: 'checkbox', message: 'event sources', choices: EVENT_SOURCES.map((value) => ({ value, name: labels[value] })) },
    },
    eventStyles: {
      flag: '--event-styles <list>',
      description: `processing styles, comma-separated (${list(EVENT_STYLES)})`,
      defaultValue: ['filtering', 'transformation'],
      parse: (input) => parseChoiceList(input, EVENT_STYLES, 'processing style'),
      format: list,
      prompt: { kind: 'checkbox', message: 'processing styles', choices: EVENT_STYLES.map((value) => ({ value, name: labels[value] })) },
    },
    aggregationKey: {
      ...textOption('--aggregation-key <field>', 'field of the event data the aggregation groups by, e.g. customerId (needed by aggregation)', '', parseFieldName),
      askWhen: chose('eventStyles', 'aggregation'),
      requiredWhenAsked: 'aggregation needs a key to group by: type a field of the event data, e.g. customerId',
    },
    aggregationValue: {
      ...textOption('--aggregation-value <field>', 'numeric field of the event data the aggregation sums per key and window', 'amount', parseFieldName),
      askWhen: chose('eventStyles', 'aggregation'),
    },
    ordering: {
      askWhen: chose('eventSources', 'servicebus', 'eventhubs'),
      flag: '--ordering <mode>',
      description: `ordered processing per key: Service Bus sessions, Event Hubs partition keys (${list(ORDERING_MODES)})`,
      defaultValue: 'none',
      parse: (input) => parseChoice(input, ORDERING_MODES, 'ordering mode'),
      format: (value) => value,
      prompt: {
        kind: 'select',
        choices: [
          { value: 'none', name: 'none: maximum parallelism' },
          { value: 'ordered', name: 'ordered: in order per session / partition key (Service Bus, Event Hubs)' },
        ],
      },
    },
    serviceBusEntity: {
      askWhen: chose('eventSources', 'servicebus'),
      flag: '--servicebus-entity <kind>',
      description: `Service Bus entity the app consumes (${list(SERVICE_BUS_ENTITIES)})`,
      defaultValue: 'queue',
      parse: (input) => parseChoice(input, SERVICE_BUS_ENTITIES, 'Service Bus entity kind'),
      format: (value) => value,
      prompt: {
        kind: 'select',
        choices: [
          { value: 'queue', name: 'queue: one consumer' },
          { value: 'topic', name: 'topic + subscription: several consumers, server-side filter rules' },
        ],
      },
    },
    serviceBusEntityName: {
      ...textOption('--servicebus-entity-name <name>', 'name of the Service Bus queue or topic', 'events', parseServiceBusEntityName),
      askWhen: chose('eventSources', 'servicebus'),
    },
    eventHubName: { ...textOption('--eventhub-name <name>', 'name of the event hub', 'events', parseEventHubName), askWhen: chose('eventSources', 'eventhubs') },
    storageQueueName: {
      ...textOption('--storage-queue-name <name>', 'name of the storage queue', 'events', parseStorageQueueName),
      askWhen: chose('eventSources', 'storage-queue'),
    },
  },

  validate(options, name) {
    const styles = new Set(options.eventStyles);
    const sources = new Set(options.eventSources);
    if (styles.has('aggregation') && options.aggregationKey === '') {
      throw new ValidationError(`aggregation needs a key to group by: add ${name('aggregationKey')} (a field of the event data, e.g. customerId)`);
    }
    if (styles.has('aggregation') && options.aggregationValue === options.aggregationKey) {
      throw new ValidationError(
        `${name('aggregationValue')} "${options.aggregationValue}" is also the key it groups by: every group would sum its own key; choose another field for one of them with ${name('aggregationKey')} or ${name('aggregationValue')}`,
      );
    }
    if (!styles.has('aggregation') && options.aggregationKey !== '') {
      throw new ValidationError(`${name('aggregationKey')} "${options.aggregationKey}" has no effect without the aggregation style: add it to ${name('eventStyles')} or drop the key`);
    }
    if (options.ordering === 'ordered' && !sources.has('servicebus') && !sources.has('eventhubs')) {
      throw new ValidationError(`${name('ordering')} ordered needs servicebus (sessions) or eventhubs (partition keys); Event Grid and storage queues do not preserve order`);
    }
    if (styles.has('fan-out')) {
      // Service Bus entity names ignore case ("Audit" is the audit queue); storage queue names are lowercase anyway.
      const taken = [
        ...(sources.has('servicebus') ? [['serviceBusEntityName', options.serviceBusEntityName] as const] : []),
        ...(sources.has('storage-queue') ? [['storageQueueName', options.storageQueueName] as const] : []),
      ];
      const clash = taken.find(([, entity]) => (FAN_OUT_TARGETS as readonly string[]).includes(entity.toLowerCase()));
      if (clash) {
        const [key, entity] = clash;
        throw new ValidationError(`${name(key)} "${entity}" is the name of a fan-out destination of ${name('eventStyles')} fan-out (${list(FAN_OUT_TARGETS)}); choose another name`);
      }
    }
  },

  contribute(options) {
    const model = eventModel(options);
    const { sources, styles } = model;
    const file = (name: string, path = name.replace(/\.hbs$/, '')): TemplateFile => ({ template: `${TEMPLATES}/${name}`, path, data: { model } });
    const onlyIf = (condition: boolean, ...files: TemplateFile[]) => (condition ? files : []);

    const infraModule = file('infra/event-processing.bicep.hbs', 'infra/modules/event-processing.bicep');
    return {
      ...emptyContribution(),
      files: [
        file('src/events/cloud-event.ts'),
        file('src/events/config.ts.hbs'),
        file('src/events/errors.ts'),
        file('src/events/dead-letters.ts'),
        file('src/events/idempotency.ts'),
        file('src/events/delivery.ts.hbs'),
        file('src/events/pipeline.ts.hbs'),
        file('src/events/dependencies.ts.hbs'),
        ...onlyIf(styles.filtering, file('src/events/filter.ts')),
        ...onlyIf(styles.transformation, file('src/events/transform.ts')),
        ...onlyIf(styles.aggregation, file('src/events/aggregation.ts')),
        ...onlyIf(styles.fanOut, file('src/events/fan-out.ts.hbs'), file('test/events/fan-out.test.ts.hbs')),
        ...onlyIf(sources.eventgrid, file('src/functions/event-grid.ts.hbs')),
        ...onlyIf(sources.servicebus, file('src/functions/service-bus.ts.hbs')),
        ...onlyIf(sources.eventhubs, file('src/functions/event-hubs.ts.hbs'), file('src/events/partition-attempts.ts')),
        ...onlyIf(
          sources.storageQueue,
          file('src/functions/storage-queue.ts.hbs'),
          file('src/functions/storage-queue-poison.ts'),
          file('test/functions/storage-queue.integration.test.ts.hbs'),
        ),
        file('src/functions/purge-processed-events.ts.hbs'),
        file('test/support/events.ts.hbs'),
        file('test/events/pipeline.test.ts.hbs'),
        file('test/events/stores.integration.test.ts.hbs'),
        file('test/functions/event-handlers.test.ts.hbs'),
        ...onlyIf(
          sources.eventgrid,
          file('infra/hooks/postdeploy.d/eventgrid-subscription.mjs'),
          file('infra/hooks/eventgrid-subscription.bicep.hbs'),
          file('test/hooks/eventgrid-subscription.test.ts'),
        ),
      ],
      infraModules: [
        {
          symbol: 'eventProcessing',
          template: infraModule.template,
          path: infraModule.path,
          data: infraModule.data,
          // Bicep lint fails on unused params: a storage-only app creates no namespace and no metric alert.
          coreParams: [
            ...(model.hasNamespaces ? (['location', 'tags', 'uniqueSuffix'] as const) : []),
            ...(model.hasNamespaces ? (['identityName'] as const) : []),
            'storageAccountName',
            ...(model.hasMetricAlerts ? (['actionGroupName'] as const) : []),
          ],
        },
      ],
      appSettings: [
        ...(sources.servicebus ? identityConnection(SERVICE_BUS_CONNECTION, 'serviceBusHost', 'your-namespace.servicebus.windows.net', 'Service Bus') : []),
        ...(sources.eventhubs ? identityConnection(EVENT_HUBS_CONNECTION, 'eventHubsHost', 'your-namespace.servicebus.windows.net', 'Event Hubs') : []),
      ],
      hostJson: hostJson(model),
      dependencies: ['@azure/functions', 'zod', ...(model.fanOut.serviceBus ? (['@azure/service-bus'] as const) : [])],
      alerts: alerts(model),
      features: [
        'storageClients',
        'traceContext',
        'customTelemetry',
        ...(sources.eventgrid ? (['postdeployHooks'] as const) : []),
        ...(model.hasMetricAlerts ? (['metricAlerts'] as const) : []),
      ],
      readmePartial: `${TEMPLATES}/partials/readme.md`,
      functionNames: [...model.sourceList.map((source) => TRIGGER_FUNCTIONS[source]), ...(sources.storageQueue ? ['storageQueuePoison', 'storageQueueUndecodable'] : []), 'purgeProcessedEvents'].map((name) => ({ name })),
      storageNames: [
        ...(sources.storageQueue ? [model.storageQueue.name, model.storageQueue.poisonName, model.storageQueue.undecodableName].map((name) => ({ kind: 'queue' as const, name, option: 'storageQueueName' })) : []),
        ...(model.fanOut.storageQueue ? FAN_OUT_TARGETS.map((name) => ({ kind: 'queue' as const, name })) : []),
        { kind: 'container', name: model.deadLetterContainer },
        ...model.tableNames.map((name) => ({ kind: 'table' as const, name })),
      ],
      nextSteps: sources.eventgrid ? ['azd up also subscribes the function to the Event Grid topic (infra/hooks/postdeploy.d/eventgrid-subscription.mjs)'] : [],
      notices: [
        `event-processing: sources ${list(options.eventSources)}; styles ${list(options.eventStyles)}` +
          (styles.aggregation ? `; aggregates ${options.aggregationValue} per ${options.aggregationKey} per 5-minute window` : '') +
          (options.ordering === 'ordered' ? '; ordered per session / partition key' : ''),
      ],
    };
  },
});

export type EventModel = ReturnType<typeof eventModel>;

/** Everything the templates branch on, derived once so Bicep, code, tests and README agree. */
function eventModel(options: EventProcessingOptions) {
  const has = (source: EventSource) => options.eventSources.includes(source);
  const style = (name: EventStyle) => options.eventStyles.includes(name);
  const ordered = options.ordering === 'ordered';
  const fanOutViaServiceBus = style('fan-out') && has('servicebus');
  const storageQueueNames = [
    ...(has('storage-queue') ? [options.storageQueueName, `${options.storageQueueName}-poison`] : []),
    ...(style('fan-out') && !fanOutViaServiceBus ? FAN_OUT_TARGETS : []),
  ];
  const serviceBusSku = options.serviceBusEntity === 'topic' || ordered ? 'Standard' : 'Basic';
  return {
    sourceList: options.eventSources,
    sources: { eventgrid: has('eventgrid'), servicebus: has('servicebus'), eventhubs: has('eventhubs'), storageQueue: has('storage-queue') },
    styles: { filtering: style('filtering'), transformation: style('transformation'), fanOut: style('fan-out'), aggregation: style('aggregation') },
    ordered,
    serviceBus: {
      topic: options.serviceBusEntity === 'topic',
      entityName: options.serviceBusEntityName,
      subscriptionName: 'functions',
      sessions: ordered && has('servicebus'),
      // Basic is pay-per-operation with no base fee but has no topics and no sessions.
      sku: serviceBusSku,
      basic: serviceBusSku === 'Basic',
      sqlFilter: `type LIKE '${ACCEPTED_TYPE_PREFIX}%'`,
      connection: SERVICE_BUS_CONNECTION,
      // Deliveries before Service Bus dead-letters a message: the entity's setting, and the last one the app waits on.
      maxDeliveryCount: 10,
    },
    eventHubs: { name: options.eventHubName, consumerGroup: 'functions', connection: EVENT_HUBS_CONNECTION },
    storageQueue: {
      name: options.storageQueueName,
      poisonName: `${options.storageQueueName}-poison`,
      // Where the host moves what the poison queue's trigger cannot decode (storageQueueUndecodable empties it).
      undecodableName: `${options.storageQueueName}-poison-poison`,
    },
    fanOut: {
      enabled: style('fan-out'),
      serviceBus: fanOutViaServiceBus,
      storageQueue: style('fan-out') && !fanOutViaServiceBus,
      targets: FAN_OUT_TARGETS.map((name) => ({ name })),
      targetNames: [...FAN_OUT_TARGETS],
    },
    storageQueueNames,
    tableNames: [TABLES.processed, ...(style('aggregation') ? [TABLES.aggregates] : []), ...(has('eventhubs') ? [TABLES.eventHubAttempts] : [])],
    // Which parts of the generated pipeline are used, so no combination leaves an unused name behind (tsc fails).
    pipeline: {
      usesDependencies: style('transformation') || style('aggregation'),
      resultUsed: style('filtering') || style('fan-out'),
      testedDirectly: style('filtering') || style('aggregation'),
    },
    hasNamespaces: has('servicebus') || has('eventhubs') || has('eventgrid'),
    hasMetricAlerts: has('servicebus') || has('eventgrid'),
    aggregation: { key: options.aggregationKey, value: options.aggregationValue, windowMinutes: 5 },
    acceptedTypePrefix: ACCEPTED_TYPE_PREFIX,
    tables: TABLES,
    deadLetterContainer: 'dead-letters',
    idempotencyTtlHours: 24 * 7,
  };
}

/** `<name>__fullyQualifiedNamespace` plus the managed identity selectors, which only make sense in Azure. */
function identityConnection(name: string, output: string, localHost: string, service: string): AppSetting[] {
  return [
    {
      name: `${name}__fullyQualifiedNamespace`,
      local: localHost,
      cloud: { module: 'eventProcessing', output },
      description: `${service} namespace host; locally, the identity you signed in with (az login) needs the data roles on it`,
    },
    { name: `${name}__credential`, cloud: { value: 'managedidentity' }, description: `${service} connection authenticates with the managed identity` },
    { name: `${name}__clientId`, cloud: { module: 'eventProcessing', output: 'identityClientId' }, description: `user-assigned identity used for ${service}` },
  ];
}

function hostJson(model: EventModel): JsonObject {
  const extensions: Record<string, Record<string, string | number | boolean>> = {};
  if (model.sources.storageQueue) {
    // After 5 failed attempts the message moves to <queue>-poison; 30 s between attempts spreads transient faults.
    // The batch size stays the host's (16), which data processing's queue input lowers for the whole app.
    extensions.queues = { maxDequeueCount: 5, visibilityTimeout: '00:00:30' };
  }
  if (model.sources.servicebus) {
    extensions.serviceBus = model.serviceBus.sessions
      ? { autoCompleteMessages: true, maxConcurrentSessions: 8, maxAutoLockRenewalDuration: '00:05:00' }
      : { autoCompleteMessages: true, maxConcurrentCalls: 16, maxAutoLockRenewalDuration: '00:05:00' };
  }
  if (model.sources.eventhubs) {
    // A checkpoint after every batch: a restart replays at most one batch, which the idempotency guard absorbs.
    extensions.eventHubs = { maxEventBatchSize: 100, prefetchCount: 300, batchCheckpointFrequency: 1 };
  }
  return Object.keys(extensions).length > 0 ? { extensions } : {};
}

/** Function names of the triggers, as registered in src/functions (they are the AppRequests OperationName). */
const TRIGGER_FUNCTIONS: Record<EventSource, string> = {
  eventgrid: 'eventGridEvents',
  servicebus: 'serviceBusEvents',
  eventhubs: 'eventHubEvents',
  'storage-queue': 'storageQueueEvents',
};

function alerts(model: EventModel): LogAlert[] {
  const functionNames = model.sourceList.map((source) => `"${TRIGGER_FUNCTIONS[source]}"`).join(', ');
  const result: LogAlert[] = [
    {
      id: 'events-dead-lettered',
      description: 'Events were parked in the dead-letter store (invalid, poison or retries exhausted): inspect the dead-letters container.',
      severity: 1,
      // The custom event the app sends per source and reason (src/events/dead-letters.ts): the host samples log lines under
      // load, and one dropped "Event dead-lettered" line would have been a letter no one was paged for.
      query: 'AppEvents\n| where Name == "EventsDeadLettered"\n| summarize DeadLettered = sum(toint(Measurements["count"]))',
      metricColumn: 'DeadLettered',
      operator: 'GreaterThan',
      threshold: 0,
      windowMinutes: 15,
      frequencyMinutes: 5,
    },
    failureRateAlert(
      {
        id: 'event-failure-rate',
        description:
          'More than 5% of event handler invocations failed in 15 minutes (evaluated once there are at least 20): each failure is retried, so a rising rate means a dependency is down.',
        severity: 2,
      },
      `OperationName in (${functionNames})`,
    ),
  ];
  if (model.sources.eventhubs) {
    result.push({
      id: 'eventhubs-consumer-lag',
      description: 'Event Hubs consumer lag: the oldest event of a batch waited more than 5 minutes before processing.',
      severity: 2,
      query:
        'AppTraces\n| where Message startswith "Event Hubs batch processed"\n' +
        '| extend LagSeconds = toint(extract(@"oldest enqueued (\\d+) s ago", 1, Message))\n| summarize MaxLagSeconds = max(LagSeconds)\n| where isnotnull(MaxLagSeconds)',
      metricColumn: 'MaxLagSeconds',
      operator: 'GreaterThan',
      threshold: 300,
      windowMinutes: 15,
      frequencyMinutes: 5,
    });
  }
  return result;
}
