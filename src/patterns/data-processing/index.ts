import { ValidationError } from '../../exit-codes.js';
import { templateFolder } from '../../templates-dir.js';
import { definePattern, emptyContribution, type AppSetting, type CoreParam, type JsonObject, type LogAlert, type TemplateFile } from '../types.js';
import { choiceOption, POISON_SUFFIX } from '../option-kinds.js';
import {
  DATA_DESTINATIONS,
  DATA_FORMATS,
  DATA_INPUTS,
  daysOption,
  nameOption,
  type DataDestination,
  type DataFormat,
  type DataInput,
} from './options.js';

type DataProcessingOptions = {
  dataInput: DataInput;
  dataFormat: DataFormat;
  dataDestination: DataDestination;
  inputContainer: string;
  inputQueue: string;
  archiveContainer: string;
  poisonContainer: string;
  coolAfterDays: number;
  archiveAfterDays: number;
  retentionDays: number;
};

/**
 * Containers the generated app always creates for itself; user-chosen names must not collide with them.
 * uploadDeadLetters: where Event Grid parks upload events it could not deliver to the blob trigger (blob input).
 */
const FIXED_CONTAINERS = { reference: 'reference', output: 'processed', uploadDeadLetters: 'upload-dead-letters' } as const;
/** The pipeline's status and quarantine tables (DATA_CONFIG in config.ts.hbs, created by the Bicep module). */
const TABLES = ['ingestionstatus', 'quarantine'] as const;
/** The table the table destination persists records to (recordsTable in config.ts.hbs, created by the Bicep module). */
const RECORDS_TABLE = 'records';
/** The input function per input kind: its name appears in alerts and in the postdeploy hook. */
const FUNCTION_NAMES: Record<DataInput, string> = { blob: 'processBlob', queue: 'processQueueMessage', eventhubs: 'processEvents' };
const TEMPLATES = 'patterns/data-processing';
/** Where the blob trigger puts a blob whose invocations failed `poisonBlobThreshold` times in a row. */
const BLOB_TRIGGER_POISON_QUEUE = 'webjobs-blobtrigger-poison';
/** Attempts per input, the pipeline's (DATA_CONFIG.maxAttempts) and the host's retries alike. */
const MAX_ATTEMPTS = 5;

export const dataProcessing = definePattern<DataProcessingOptions>({
  id: 'data-processing',
  title: 'Data Processing',
  summary: 'ETL pipelines from blobs, queues or event streams: parse, validate, map, enrich, persist and archive.',
  matrix: { useCase: 'ETL', scalability: 'High', complexity: 'Medium' },
  options: {
    dataInput: choiceOption('--data-input <kind>', 'where payloads arrive: blob, queue or eventhubs', DATA_INPUTS, 'blob', {
      blob: 'Blob upload (blob trigger with Event Grid source, streamed from storage)',
      queue: 'Storage queue message',
      eventhubs: 'Event Hubs events',
    }),
    dataFormat: choiceOption('--data-format <format>', 'record format of each payload: csv, json or ndjson', DATA_FORMATS, 'csv', {
      csv: 'CSV with a header row',
      json: 'JSON array of records',
      ndjson: 'Newline-delimited JSON',
    }),
    dataDestination: choiceOption('--data-destination <store>', 'where records are persisted: table, cosmos or blob', DATA_DESTINATIONS, 'table', {
      table: 'Azure Table storage',
      cosmos: 'Azure Cosmos DB for NoSQL',
      blob: 'NDJSON blobs',
    }),
    inputContainer: {
      ...nameOption('--data-container <name>', 'blob container that receives input files (blob input)', 'container', 'incoming'),
      askWhen: (earlier) => earlier.dataInput === 'blob',
    },
    inputQueue: {
      ...nameOption('--data-queue <name>', 'storage queue that receives input messages (queue input)', 'queue', 'incoming-data', 63 - POISON_SUFFIX.length),
      askWhen: (earlier) => earlier.dataInput === 'queue',
    },
    archiveContainer: nameOption('--data-archive-container <name>', 'blob container processed inputs are archived to', 'container', 'archive'),
    poisonContainer: nameOption('--data-poison-container <name>', 'blob container failed inputs are moved to, with the reason', 'container', 'poison'),
    coolAfterDays: daysOption('--data-cool-after-days <days>', 'days after which archived inputs move to the cool tier', 30),
    archiveAfterDays: daysOption('--data-archive-after-days <days>', 'days after which archived inputs move to the archive tier', 180),
    retentionDays: daysOption('--data-retention-days <days>', 'days status and quarantine rows are kept after their last write', 30),
  },
  validate(options, name) {
    // Fixed names first, so a clash names the user's option first ("--data-container and the generated …").
    const containers = [
      ...Object.values(FIXED_CONTAINERS).map((container) => [`the generated "${container}" container`, container]),
      ...(options.dataInput === 'blob' ? [[name('inputContainer'), options.inputContainer]] : []),
      [name('archiveContainer'), options.archiveContainer],
      [name('poisonContainer'), options.poisonContainer],
    ];
    for (const [i, [label, container]] of containers.entries()) {
      const clash = containers.slice(0, i).find(([, other]) => other === container);
      if (clash) throw new ValidationError(`${label} and ${clash[0]} both name the container "${container}"; each container needs its own name`);
    }
    if (options.archiveAfterDays <= options.coolAfterDays) {
      throw new ValidationError(
        `${name('archiveAfterDays')} (${options.archiveAfterDays}) must be greater than ${name('coolAfterDays')} (${options.coolAfterDays}): blobs go cool first, then archive`,
      );
    }
  },
  contribute(options) {
    const { dataInput: input, dataFormat: format, dataDestination: destination } = options;
    const functionName = FUNCTION_NAMES[input];
    // Bicep lint fails on unused params: location and tags only where the module creates resources with them.
    const ownsResources = input === 'blob' || input === 'eventhubs' || destination === 'cosmos';
    const coreParams: CoreParam[] = [
      'identityName',
      'storageAccountName',
      ...(ownsResources ? (['location', 'tags'] as const) : []),
      ...(input !== 'queue' || destination === 'cosmos' ? (['uniqueSuffix'] as const) : []),
      // The blob input's Event Grid topic has metric alerts: undeliverable and dead-lettered upload events.
      ...(input === 'blob' ? (['actionGroupName'] as const) : []),
    ];
    const data = { functionName, containers: FIXED_CONTAINERS, coreParams, maxAttempts: MAX_ATTEMPTS };
    const files: TemplateFile[] = [
      ...templateFolder(`${TEMPLATES}/app`),
      { template: `${TEMPLATES}/formats/${format}/parse.ts`, path: 'src/data-processing/parse.ts' },
      { template: `${TEMPLATES}/formats/${format}/encode.ts`, path: 'test/data-processing/support/encode.ts' },
      { template: `${TEMPLATES}/formats/${format}/parse.test.ts`, path: 'test/data-processing/parse.test.ts' },
      { template: `${TEMPLATES}/destinations/${destination}/persist.ts`, path: 'src/data-processing/persist.ts' },
      { template: `${TEMPLATES}/destinations/${destination}/test-destination.ts`, path: 'test/data-processing/support/test-destination.ts' },
      { template: `${TEMPLATES}/destinations/${destination}/persist.test.ts`, path: 'test/data-processing/persist.test.ts' },
      { template: `${TEMPLATES}/inputs/${input}/function.ts.hbs`, path: `src/functions/${functionName}.ts` },
      { template: `${TEMPLATES}/inputs/${input}/function.test.ts.hbs`, path: `test/data-processing/${functionName}.test.ts` },
      ...(input === 'blob'
        ? [
            { template: `${TEMPLATES}/inputs/blob/blob-client-factory.ts`, path: 'src/data-processing/blob-client-factory.ts' },
            { template: `${TEMPLATES}/inputs/blob/blob-client-factory.test.ts`, path: 'test/data-processing/blob-client-factory.test.ts' },
            { template: `${TEMPLATES}/inputs/blob/settle.ts`, path: 'src/data-processing/settle.ts' },
            { template: `${TEMPLATES}/inputs/blob/event-grid-subscription.mjs.hbs`, path: 'infra/hooks/postdeploy.d/data-processing-event-grid.mjs' },
            { template: `${TEMPLATES}/inputs/blob/event-grid-subscription.test.ts.hbs`, path: 'test/hooks/data-processing-event-grid.test.ts' },
            { template: `${TEMPLATES}/inputs/blob/event-grid-subscription.bicep.hbs`, path: 'infra/hooks/data-processing-event-grid.bicep' },
          ]
        : [
            { template: `${TEMPLATES}/inputs/payload.ts`, path: 'src/data-processing/payload.ts' },
            { template: `${TEMPLATES}/inputs/host-crash.ts`, path: 'test/data-processing/support/host-crash.ts' },
          ]),
    ].map((file) => ({ ...file, data }));

    return {
      ...emptyContribution(),
      files,
      infraModules: [
        {
          symbol: 'dataProcessing',
          template: `${TEMPLATES}/infra/data-processing.bicep.hbs`,
          path: 'infra/modules/data-processing.bicep',
          coreParams,
          data,
        },
      ],
      appSettings: appSettings(options),
      hostJson: hostJson(input),
      dependencies: [
        'zod',
        '@azure/storage-blob',
        ...(input === 'blob' ? (['@azure/functions-extensions-base'] as const) : []),
        ...(format === 'csv' ? (['csv-parse'] as const) : []),
        ...(destination === 'cosmos' ? (['@azure/cosmos'] as const) : []),
      ],
      alerts: alerts(functionName, hostPoisonQueue(options)),
      features: ['storageClients', 'azurite', 'slowTests', 'traceContext', 'customTelemetry', ...(input === 'blob' ? (['postdeployHooks', 'metricAlerts'] as const) : [])],
      functionNames: [{ name: functionName, durationAlerted: true }, { name: 'purgeDataRecords' }],
      storageNames: [
        ...(input === 'queue' ? [options.inputQueue, `${options.inputQueue}${POISON_SUFFIX}`].map((name) => ({ kind: 'queue' as const, name, option: 'inputQueue' })) : []),
        ...(input === 'blob' ? [{ kind: 'container' as const, name: options.inputContainer, option: 'inputContainer' }] : []),
        { kind: 'container', name: options.archiveContainer, option: 'archiveContainer' },
        { kind: 'container', name: options.poisonContainer, option: 'poisonContainer' },
        ...Object.values(FIXED_CONTAINERS).map((name) => ({ kind: 'container' as const, name })),
        ...[...TABLES, ...(destination === 'table' ? [RECORDS_TABLE] : [])].map((name) => ({ kind: 'table' as const, name })),
      ],
      readmePartial: `${TEMPLATES}/partials/readme.md`,
      nextSteps: [
        `Upload reference data: the enrich stage reads ${FIXED_CONTAINERS.reference}/customers.json (see README, "Data Processing").`,
      ],
      notices:
        input === 'blob'
          ? ["data-processing: blob uploads reach the blob trigger through an Event Grid subscription that the azd postdeploy hook creates (it needs the deployed function's blobs_extension key)."]
          : [],
    };
  },
});

function appSettings({ dataDestination: destination, dataInput: input, retentionDays }: DataProcessingOptions): AppSetting[] {
  const settings: AppSetting[] = [
    {
      name: 'DATA_RETENTION_DAYS',
      local: String(retentionDays),
      cloud: { value: String(retentionDays) },
      description: 'Days the status and quarantine table rows of an input are kept after their last write; purgeDataRecords deletes older ones nightly.',
    },
  ];
  if (destination === 'cosmos') {
    settings.push({
      name: 'COSMOS_ENDPOINT',
      // The app signs in with Entra ID only, which the Cosmos DB emulator does not accept: locally it is the deployed account.
      local: 'https://your-account.documents.azure.com:443/',
      cloud: { module: 'dataProcessing', output: 'cosmosEndpoint' },
      description: 'Cosmos DB account the pipeline persists records to (identity auth; local auth is disabled).',
    });
  }
  if (input === 'eventhubs') {
    settings.push(
      {
        name: 'EventHubConnection__fullyQualifiedNamespace',
        local: 'your-namespace.servicebus.windows.net',
        cloud: { module: 'dataProcessing', output: 'eventHubsNamespaceHost' },
        description: 'Event Hubs namespace the trigger reads from, through the managed identity.',
      },
      // Cloud only: locally the trigger signs in as the developer (`az login`); a managed identity exists only in Azure.
      {
        name: 'EventHubConnection__credential',
        cloud: { value: 'managedidentity' },
        description: 'Event Hubs trigger authenticates with the managed identity.',
      },
      {
        name: 'EventHubConnection__clientId',
        cloud: { module: 'dataProcessing', output: 'identityClientId' },
        description: 'Which user-assigned identity the Event Hubs trigger uses.',
      },
    );
  }
  return settings;
}

function hostJson(input: DataInput): JsonObject {
  if (input === 'queue') {
    // One large payload per message: fewer messages in flight per instance keeps memory predictable.
    return { extensions: { queues: { batchSize: 8, newBatchThreshold: 4, maxDequeueCount: MAX_ATTEMPTS } } };
  }
  if (input === 'eventhubs') {
    return { extensions: { eventHubs: { maxEventBatchSize: 100, batchCheckpointFrequency: 1 } } };
  }
  // One file per invocation, each streamed: a few files in flight per instance keeps memory predictable.
  return { extensions: { blobs: { maxDegreeOfParallelism: 4, poisonBlobThreshold: MAX_ATTEMPTS } } };
}

/** The queue the host moves an input to when the function itself keeps failing (the pipeline could not even record it). */
function hostPoisonQueue(options: DataProcessingOptions): string | undefined {
  if (options.dataInput === 'blob') return BLOB_TRIGGER_POISON_QUEUE;
  if (options.dataInput === 'queue') return `${options.inputQueue}${POISON_SUFFIX}`;
  return undefined;
}

/** The custom event src/data-processing/pipeline.ts sends for each poisoned input. */
const POISONED_EVENT = 'DataInputPoisoned';

/**
 * Rates and volumes read the "Data pipeline completed" trace line the generated pipeline writes (logCompleted in
 * src/data-processing/pipeline.ts): under load the host samples trace lines, and a kept line's ItemCount says how
 * many it stands for, so sums and counts weight by it. A single poisoned input must page, and its one line could be
 * sampled away: the poison alert counts the DataInputPoisoned custom event (reportPoisoned) instead, which no
 * sampling drops, with the host's own line for what it moved to its poison queue.
 */
function alerts(functionName: string, poisonQueue: string | undefined): LogAlert[] {
  /** Of the 23 baseline hours, how many must have persisted records for a quiet hour to count as a drop. */
  const STEADY_HOURS = 20;
  const completed = 'AppTraces\n| where Message startswith "Data pipeline completed"';
  return [
    {
      id: 'data-quarantine-rate',
      description: 'More than 5% of the records received in the last hour were quarantined as invalid.',
      severity: 2,
      // 100.0: in integer division 59 of 1,000 records would read as 5%, not over it.
      query: `${completed}\n| parse Message with * "records=" Records:long " quarantined=" Quarantined:long *\n| summarize Records = sum(Records * ItemCount), Quarantined = sum(Quarantined * ItemCount)\n| extend QuarantinedPercent = iff(Records == 0, 0.0, 100.0 * Quarantined / Records)`,
      metricColumn: 'QuarantinedPercent',
      operator: 'GreaterThan',
      threshold: 5,
      windowMinutes: 60,
      frequencyMinutes: 15,
    },
    {
      id: 'data-poison-backlog',
      description: poisonQueue
        ? `Inputs were moved to the poison container, or by the host to the ${poisonQueue} queue, in the last hour: they need a look and a replay.`
        : 'Inputs were moved to the poison container in the last hour: they need a look and a replay.',
      severity: 1,
      // The host logs "Message has reached MaxDequeueCount of 5. Moving message to queue '<poison queue>'." when it gives up.
      query: poisonQueue
        ? `union (AppEvents\n| where Name == "${POISONED_EVENT}"), (AppTraces\n| where Message has "Moving message to queue '${poisonQueue}'")\n| summarize Poisoned = sum(ItemCount)`
        : `AppEvents\n| where Name == "${POISONED_EVENT}"\n| summarize Poisoned = sum(ItemCount)`,
      metricColumn: 'Poisoned',
      operator: 'GreaterThan',
      threshold: 0,
      windowMinutes: 60,
      frequencyMinutes: 15,
    },
    {
      id: 'data-processing-latency',
      description: `The 95th percentile duration of ${functionName} exceeded 5 minutes over the last hour.`,
      severity: 2,
      query: `AppRequests\n| where Name == "${functionName}"\n| summarize P95DurationMs = toint(percentile(DurationMs, 95))\n| where isnotnull(P95DurationMs)`,
      metricColumn: 'P95DurationMs',
      operator: 'GreaterThan',
      threshold: 300_000,
      windowMinutes: 60,
      frequencyMinutes: 15,
    },
    {
      id: 'data-throughput-drop',
      description: `Records persisted in the last hour fell below half the hourly average of the 23 hours before, for a steady stream (records persisted in at least ${STEADY_HOURS} of those hours).`,
      severity: 3,
      // Inputs that come in bursts (a few files a day) leave most hours empty: measured against their average, nearly
      // every hour would be a drop. Only a stream that flowed in almost every hour of the baseline is judged.
      query: [
        completed,
        '| parse Message with * "persisted=" Persisted:long *',
        '| summarize Recent = sumif(Persisted * ItemCount, TimeGenerated > ago(1h)), Baseline = sumif(Persisted * ItemCount, TimeGenerated <= ago(1h)) / 23.0,',
        '    BaselineHours = dcountif(bin(TimeGenerated, 1h), TimeGenerated <= ago(1h) and Persisted > 0)',
        `| where BaselineHours >= ${STEADY_HOURS}`,
        '| project DropPercent = 100.0 - 100.0 * Recent / Baseline',
      ].join('\n'),
      metricColumn: 'DropPercent',
      operator: 'GreaterThan',
      threshold: 50,
      windowMinutes: 1440,
      frequencyMinutes: 60,
    },
  ];
}
