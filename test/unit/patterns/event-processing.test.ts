import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createApp, type CreateOptions } from '../../../src/commands/create.js';
import { ValidationError } from '../../../src/exit-codes.js';
import { buildPlan } from '../../../src/engine/plan.js';
import { readTree, renderPlan, type RenderedTree } from '../../../src/engine/render.js';
import { eventProcessing } from '../../../src/patterns/event-processing/index.js';
import type { Logger } from '../../../src/logger.js';
import type { Prompter } from '../../../src/prompts.js';
import { bicepMissing, runBicep } from '../../support/bicep.js';
import { scratchDir } from '../../support/scratch.js';

const options = eventProcessing.options;

function render(patternOptions: Record<string, unknown> = {}): RenderedTree {
  return renderPlan(buildPlan({ name: 'orders', location: 'eastus2', patterns: { 'event-processing': patternOptions } }, '/tmp/orders'));
}

function planError(patternOptions: Record<string, unknown>): string {
  try {
    render(patternOptions);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('expected a validation error');
}

const ALL = {
  eventSources: 'eventgrid,servicebus,eventhubs,storage-queue',
  eventStyles: 'filtering,transformation,fan-out,aggregation',
  aggregationKey: 'customerId',
};

describe('event-processing options', () => {
  it('parses source and style lists from a flag or an array, deduplicated in canonical order', () => {
    expect(options.eventSources.parse(' storage-queue, eventgrid ,eventgrid')).toEqual(['eventgrid', 'storage-queue']);
    expect(options.eventSources.parse(['servicebus', 'eventhubs'])).toEqual(['servicebus', 'eventhubs']);
    expect(options.eventStyles.parse('aggregation,filtering')).toEqual(['filtering', 'aggregation']);
  });

  it('rejects an unknown source or style and lists the valid ones', () => {
    expect(() => options.eventSources.parse('servicebus,kafka')).toThrow('unknown event source "kafka"; valid event sources: eventgrid, servicebus, eventhubs, storage-queue');
    expect(() => options.eventStyles.parse('batching')).toThrow('valid processing styles: filtering, transformation, fan-out, aggregation');
    expect(() => options.eventSources.parse(' , ')).toThrow('give at least one event source: eventgrid, servicebus, eventhubs, storage-queue');
    expect(() => options.ordering.parse('strict')).toThrow('valid ordering modes: none, ordered');
    expect(() => options.serviceBusEntity.parse('exchange')).toThrow('valid Service Bus entity kinds: queue, topic');
  });

  it('quotes an unknown value as the user typed it, not as it was compared', () => {
    expect(() => options.ordering.parse(' Strict ')).toThrow('unknown ordering mode "Strict";');
    expect(() => options.eventSources.parse('ServiceBus,KAFKA, Kafka')).toThrow('unknown event sources "KAFKA", "Kafka";');
    expect(() => options.eventStyles.parse(['Batching'])).toThrow('unknown processing style "Batching";');
  });

  it('accepts entity names within the Service Bus and Event Hubs rules', () => {
    expect(options.serviceBusEntityName.parse('orders.v2_in-1')).toBe('orders.v2_in-1');
    expect(options.serviceBusEntityName.parse('q'.repeat(260))).toHaveLength(260);
    expect(options.eventHubName.parse('Telemetry.Raw')).toBe('Telemetry.Raw');
    expect(options.storageQueueName.parse('order-events')).toBe('order-events');
  });

  it.each([
    [options.serviceBusEntityName, 'orders/in', '"/" is not allowed'],
    [options.serviceBusEntityName, '-orders', 'must start and end with a letter or digit'],
    [options.serviceBusEntityName, 'orders.', 'must start and end with a letter or digit'],
    [options.serviceBusEntityName, 'q'.repeat(261), 'at most 260'],
    [options.serviceBusEntityName, '', 'it is empty'],
    [options.eventHubName, 'my hub', '" " is not allowed'],
    [options.eventHubName, 'h'.repeat(257), 'at most 256'],
    [options.storageQueueName, 'Orders', 'lowercase'],
    [options.storageQueueName, 'order--events', 'consecutive hyphens'],
    [options.storageQueueName, 'webjobs-blobtrigger-poison', 'the Functions host keeps its own state in'],
    // Room for `<name>-poison-poison`, where the host moves what the poison queue's trigger cannot decode (the app reads it).
    [options.storageQueueName, 'ab', '3 to 49 characters'],
    [options.storageQueueName, 'q'.repeat(50), '3 to 49 characters'],
    [options.aggregationKey, 'customer.id', 'not a field name'],
    [options.aggregationValue, '1st', 'not a field name'],
    // The generated app failed its own tests with these: an event whose data has a constructor field is no plain
    // object to its schema (every such event was dead-lettered), and `{ __proto__: … }` sets no field at all.
    [options.aggregationKey, 'constructor', '"constructor" is a property of every JavaScript object'],
    [options.aggregationValue, '__proto__', '"__proto__" is a property of every JavaScript object'],
  ])('rejects %#: %s', (spec, input, message) => {
    expect(() => spec.parse(input)).toThrow(ValidationError);
    expect(() => spec.parse(input)).toThrow(message);
  });
});

describe('event-processing validation', () => {
  it('refuses aggregation without a key, naming the flag', () => {
    expect(planError({ eventStyles: 'aggregation' })).toBe(
      'event-processing: aggregation needs a key to group by: add --aggregation-key (a field of the event data, e.g. customerId)',
    );
  });

  it('refuses a key without aggregation, ordering without an ordered source, and a source named like a fan-out queue', () => {
    expect(planError({ aggregationKey: 'customerId' })).toContain('has no effect without the aggregation style');
    expect(planError({ eventStyles: 'aggregation', aggregationKey: 'amount' })).toContain(
      '--aggregation-value "amount" is also the key it groups by: every group would sum its own key; choose another field for one of them',
    );
    expect(planError({ eventSources: 'eventgrid,storage-queue', ordering: 'ordered' })).toContain('--ordering ordered needs servicebus (sessions) or eventhubs');
    expect(planError({ eventStyles: 'fan-out', storageQueueName: 'audit' })).toContain('--storage-queue-name "audit" is the name of a fan-out destination of --event-styles fan-out');
  });

  it('refuses a Service Bus entity named like a fan-out queue in another case: Service Bus names ignore case', () => {
    for (const serviceBusEntity of ['queue', 'topic']) {
      expect(planError({ eventSources: 'servicebus', eventStyles: 'fan-out', serviceBusEntity, serviceBusEntityName: 'Audit' })).toContain(
        '--servicebus-entity-name "Audit" is the name of a fan-out destination',
      );
    }
  });

  it('prefixes a bad option with its flag', () => {
    expect(planError({ eventSources: 'sqs' })).toMatch(/^--event-sources: unknown event source "sqs"/);
    expect(planError({ eventSources: 'servicebus', serviceBusEntityName: 'a/b' })).toMatch(/^--servicebus-entity-name: "a\/b" is not a Service Bus queue or topic name/);
  });

  it('writes nothing when the input is bad', async () => {
    const cwd = scratchDir('event-processing');
    const logger: Logger = { info: () => undefined, warn: () => undefined, show: () => undefined, task: () => Promise.reject(new Error('no post-steps expected')) };
    const input: CreateOptions = {
      directory: 'app',
      pattern: 'event-processing',
      patternOptions: { 'event-processing': { eventStyles: 'aggregation' } },
      yes: true,
      dryRun: false,
      git: false,
      install: false,
      packageManager: 'npm',
    };
    await expect(createApp(input, { interactive: false, prompter: {} as Prompter, logger, cwd })).rejects.toThrow(ValidationError);
    expect(existsSync(join(cwd, 'app'))).toBe(false);
  });
});

describe('event-processing rendered app', () => {
  it('defaults (--yes) to a storage queue with filtering and transformation, and nothing it does not use', () => {
    const tree = render();
    expect(tree.paths).toEqual(
      expect.arrayContaining([
        'src/functions/storage-queue.ts',
        'src/functions/storage-queue-poison.ts',
        'src/functions/purge-processed-events.ts',
        'src/events/filter.ts',
        'src/events/transform.ts',
        'test/functions/storage-queue.integration.test.ts',
        'test/events/stores.integration.test.ts',
        'infra/modules/event-processing.bicep',
      ]),
    );
    for (const absent of ['src/functions/service-bus.ts', 'src/functions/event-hubs.ts', 'src/functions/event-grid.ts', 'src/events/aggregation.ts', 'src/events/fan-out.ts']) {
      expect(tree.paths).not.toContain(absent);
    }
    expect(tree.paths.filter((path) => path.startsWith('infra/hooks/'))).toEqual([]);
    const bicep = readTree(tree, 'infra/modules/event-processing.bicep');
    expect(bicep).not.toMatch(/Microsoft\.(ServiceBus|EventHub|EventGrid)/);
    expect(bicep).toContain("'events-poison'");
    expect(JSON.parse(readTree(tree, 'package.json')).dependencies).toHaveProperty('zod');
  });

  it('says where an event ends up: no fan-out outputs it does not have, processEvent as the place for the effect', () => {
    const plain = render();
    expect(readTree(plain, 'src/events/delivery.ts')).not.toContain('fan-out');
    expect(readTree(plain, 'src/events/pipeline.ts')).toContain('processing changes no state');
    expect(readTree(plain, 'README.md')).toContain('the pipeline changes no state');
    expect(readTree(plain, 'README.md')).not.toContain('together with the output bindings');

    const all = render(ALL);
    expect(readTree(all, 'src/events/delivery.ts')).toContain('a failed send has it retried, never recorded');
    expect(readTree(all, 'src/events/pipeline.ts')).not.toContain('changes no state');
    expect(readTree(all, 'README.md')).not.toContain('changes no state');
  });

  it('README: namespace connections and their local settings only where a source has a namespace', () => {
    const queueOnly = readTree(render(), 'README.md');
    expect(queueOnly).not.toContain('__fullyQualifiedNamespace');
    expect(queueOnly).not.toContain('Namespaces and topics');
    const eventGridOnly = readTree(render({ eventSources: 'eventgrid' }), 'README.md');
    expect(eventGridOnly).toContain('Namespaces and topics have local (key/SAS) authentication disabled');
    expect(eventGridOnly).not.toContain('__fullyQualifiedNamespace');
    expect(eventGridOnly).toContain('the tables and the `dead-letters` container in the app\'s storage account');
    expect(queueOnly).toContain('the tables, the queues and the `dead-letters` container in the app\'s storage account');
    const all = render(ALL);
    expect(readTree(all, 'README.md')).toContain('set the `__fullyQualifiedNamespace` values in `local.settings.json`');
    expect(readTree(all, 'local.settings.json')).toContain('__fullyQualifiedNamespace');
  });

  it('wires every source with identity-only connections, least-privilege roles and alerts', () => {
    const tree = render({ ...ALL, serviceBusEntityName: 'orders', eventHubName: 'telemetry' });
    const bicep = readTree(tree, 'infra/modules/event-processing.bicep');

    expect(bicep.match(/disableLocalAuth: true/g)).toHaveLength(3);
    expect(bicep.match(/minimumTlsVersion: '1\.2'/g)).toHaveLength(2);
    expect(bicep).toContain("minimumTlsVersionAllowed: '1.2'");
    expect(bicep).toContain("inputSchema: 'CloudEventSchemaV1_0'");
    expect(bicep).toContain('scope: queue\n');
    expect(bicep).toContain('scope: eventHub\n');
    expect(bicep).toContain('scope: fanOutQueues[index]');
    // Only data-plane Receiver / Sender roles: no Owner or Contributor anywhere.
    expect([...bicep.matchAll(/var (\w+Role) = '[0-9a-f-]{36}'/g)].map((match) => match[1])).toEqual(['serviceBusReceiverRole', 'serviceBusSenderRole', 'eventHubsReceiverRole']);
    for (const metric of ['DeadletteredMessages', 'ActiveMessages', 'DeadLetteredCount', 'DeliveryAttemptFailCount']) expect(bicep).toContain(`'${metric}'`);

    const main = readTree(tree, 'infra/main.bicep');
    expect(main).toContain("EventsServiceBus__credential: 'managedidentity'");
    expect(main).toContain('EventsServiceBus__clientId: eventProcessing.outputs.identityClientId');
    expect(main).toContain('EventsEventHubs__fullyQualifiedNamespace: eventProcessing.outputs.eventHubsHost');
    expect(main).toMatch(/'eventhubs-consumer-lag'/);

    // Managed identity settings stay out of local runs, which authenticate with the developer's az login.
    const local = JSON.parse(readTree(tree, 'local.settings.json')) as { Values: Record<string, string> };
    expect(Object.keys(local.Values)).toEqual(expect.arrayContaining(['EventsServiceBus__fullyQualifiedNamespace', 'EventsEventHubs__fullyQualifiedNamespace']));
    expect(Object.keys(local.Values).filter((name) => /__(credential|clientId)$/.test(name))).toEqual([]);

    const host = JSON.parse(readTree(tree, 'host.json')) as { extensions: Record<string, Record<string, unknown>> };
    expect(host.extensions.eventHubs).toEqual({ maxEventBatchSize: 100, prefetchCount: 300, batchCheckpointFrequency: 1 });
    expect(host.extensions.queues).toMatchObject({ maxDequeueCount: 5 });

    expect(readTree(tree, 'azure.yaml')).toContain('node ./infra/hooks/postdeploy.mjs');
    expect(readTree(tree, 'infra/hooks/eventgrid-subscription.bicep')).toContain("values: [\n            'com.example.'\n          ]");
    expect(readTree(tree, 'src/functions/event-hubs.ts')).toContain("strategy: 'exponentialBackoff'");
    expect(readTree(tree, 'src/events/config.ts')).toContain("keyField: \"customerId\"");
  });

  it('computes the event failure rate in real numbers, once there are enough invocations for a rate to mean something', () => {
    const plan = buildPlan({ name: 'orders', location: 'eastus2', patterns: { 'event-processing': ALL } }, '/tmp/orders');
    const alert = plan.contribution.alerts.find((candidate) => candidate.id === 'event-failure-rate');
    // 100 * Failed / Total on counts (longs) divides as integers: 11 failures in 200 read 5, not over 5%.
    expect(alert?.query).toContain('100.0 * Failed / Total');
    // Without a floor, one retried failure in a quiet quarter of an hour is 100% and pages someone.
    expect(alert?.query).toContain('| where Total >= 20');
    expect(alert?.description).toContain('(evaluated once there are at least 20)');
  });

  // The host samples log lines under load: the one line a dead letter logs could be dropped and the alert never fire.
  it('pages on dead letters from the custom event the app sends for them, which no sampling drops', () => {
    const tree = render(ALL);
    const alert = buildPlan({ name: 'orders', location: 'eastus2', patterns: { 'event-processing': ALL } }, '/tmp/orders').contribution.alerts.find((candidate) => candidate.id === 'events-dead-lettered')!;
    expect(alert.query).toBe('AppEvents\n| where Name == "EventsDeadLettered"\n| summarize DeadLettered = sum(toint(Measurements["count"]))');
    expect(readTree(tree, 'src/events/dead-letters.ts')).toContain("export const DEAD_LETTERED_EVENT = 'EventsDeadLettered';");
    expect(readTree(tree, 'README.md')).toContain('`events-dead-lettered` alert reads those (`AppEvents`), which the host\'s sampling of log lines cannot drop');
  });

  it("alerts on the backlog of the entity the app consumes, not on fan-out queues other consumers drain", () => {
    for (const serviceBusEntity of ['queue', 'topic']) {
      const bicep = readTree(render({ ...ALL, serviceBusEntity, serviceBusEntityName: 'orders' }), 'infra/modules/event-processing.bicep');
      const backlog = /\{\s*name: 'servicebus-backlog'[^]*?\n {6}\}/.exec(bicep)?.[0];
      expect(backlog, serviceBusEntity).toContain("metricName: 'ActiveMessages'");
      expect(backlog, serviceBusEntity).toMatch(/dimensions: \[\s*\{\s*name: 'EntityName'\s*operator: 'Include'\s*values: \[\s*'orders'\s*\]\s*\}\s*\]/);
    }
  });

  // The fan-out queues keep their messages 14 days, then dead-letter them on expiry: with no consumer yet (or a slow
  // one, another team's), a namespace-wide rule paged severity 1 "inspect and resubmit" for as long as they sat there.
  it('alerts on the dead letters of the entity the app consumes, not on those of fan-out queues other consumers drain', () => {
    for (const serviceBusEntity of ['queue', 'topic']) {
      const bicep = readTree(render({ ...ALL, serviceBusEntity, serviceBusEntityName: 'orders' }), 'infra/modules/event-processing.bicep');
      expect(bicep, serviceBusEntity).toContain("deadLetteringOnMessageExpiration: true");
      const deadLettered = /\{\s*name: 'servicebus-dead-lettered'[^]*?\n {6}\}/.exec(bicep)?.[0];
      expect(deadLettered, serviceBusEntity).toContain("metricName: 'DeadletteredMessages'");
      expect(deadLettered, serviceBusEntity).toMatch(/dimensions: \[\s*\{\s*name: 'EntityName'\s*operator: 'Include'\s*values: \[\s*'orders'\s*\]\s*\}\s*\]/);
    }
  });

  it('uses sessions and a Standard namespace for ordered Service Bus topics, with a server-side filter rule', () => {
    const tree = render({ eventSources: 'servicebus', serviceBusEntity: 'topic', ordering: 'ordered' });
    const bicep = readTree(tree, 'infra/modules/event-processing.bicep');
    expect(bicep).toContain("name: 'Standard'");
    expect(bicep).toContain('requiresSession: true');
    expect(bicep).toContain("sqlExpression: 'type LIKE \\'com.example.%\\''");
    expect(bicep).toContain('scope: subscription\n');
    expect(readTree(tree, 'src/functions/service-bus.ts')).toContain("app.serviceBusTopic('serviceBusEvents'");
    expect(JSON.parse(readTree(tree, 'host.json')).extensions.serviceBus).toMatchObject({ maxConcurrentSessions: 8 });
    // An unordered queue stays on the pay-per-operation Basic tier.
    expect(readTree(render({ eventSources: 'servicebus' }), 'infra/modules/event-processing.bicep')).toContain("name: 'Basic'");
  });

  it('has a postdeploy step module Node parses, which deploys the subscription template next to it, and its test', () => {
    const tree = render(ALL);
    const step = readTree(tree, 'infra/hooks/postdeploy.d/eventgrid-subscription.mjs');
    expect(spawnSync(process.execPath, ['--input-type=module', '--check'], { input: step }).status).toBe(0);
    expect(step).toContain("new URL('../eventgrid-subscription.bicep', import.meta.url)");
    expect(tree.paths).toContain('test/hooks/eventgrid-subscription.test.ts');
    expect(tree.paths.filter((path) => path.endsWith('.sh'))).toEqual([]);
    // Without an Event Grid source there is nothing to wire after deployment: no hook at all.
    const queueOnly = render({ eventSources: 'storage-queue' });
    expect(queueOnly.paths.filter((path) => path.startsWith('infra/hooks/') || path.startsWith('test/hooks/'))).toEqual([]);
    expect(readTree(queueOnly, 'azure.yaml')).not.toContain('hooks:');
  });

  it('runs the postdeploy hook with Node.js on POSIX (from sh) and on Windows (from PowerShell, since there is no sh)', () => {
    const tree = render(ALL);
    const { hooks } = parseYaml(readTree(tree, 'azure.yaml')) as { hooks: Record<string, unknown> };
    const node = { run: 'node ./infra/hooks/postdeploy.mjs', interactive: false, continueOnError: false };
    expect(hooks).toEqual({ postdeploy: { posix: { shell: 'sh', ...node }, windows: { shell: 'pwsh', ...node } } });
    expect(tree.paths).toEqual(expect.arrayContaining(['infra/hooks/postdeploy.mjs', 'infra/hooks/azure-cli.mjs', 'infra/hooks/step-helpers.mjs', 'test/hooks/postdeploy.test.ts']));
  });

  it('checks the Azure CLI login before any postdeploy step, and sets up Node.js and logs the CLI in on CI', () => {
    const tree = render(ALL);
    const runner = readTree(tree, 'infra/hooks/postdeploy.mjs');
    expect(spawnSync(process.execPath, ['--input-type=module', '--check'], { input: runner }).status).toBe(0);
    expect(runner.indexOf("['account', 'show', '--subscription', subscription, '--output', 'none']")).toBeGreaterThan(-1);
    expect(runner.indexOf("'account', 'show'")).toBeLessThan(runner.indexOf('for (const name of steps)'));
    const deploy = (parseYaml(readTree(tree, '.github/workflows/azure-dev.yml')) as { jobs: { deploy: { steps: { uses?: string; run?: string }[] } } }).jobs.deploy.steps;
    const position = (match: (step: { uses?: string; run?: string }) => boolean) => deploy.findIndex(match);
    expect(position((step) => step.uses === 'actions/setup-node@v4')).toBeGreaterThan(-1);
    expect(position((step) => step.uses === 'azure/login@v2')).toBeGreaterThan(-1);
    expect(position((step) => step.uses === 'azure/login@v2')).toBeLessThan(position((step) => step.run === 'azd deploy --no-prompt'));
    expect(readTree(tree, 'README.md')).toMatch(/^az login +# the postdeploy hook/m);
    expect(readTree(tree, 'README.md')).toContain('azd runs the postdeploy hook: `node infra/hooks/postdeploy.mjs`');
    // azd runs a pwsh hook only where PowerShell 7 is installed, and Windows ships only Windows PowerShell 5.1.
    expect(readTree(tree, 'README.md')).toContain('from PowerShell 7 (`pwsh`) on Windows');
    expect(readTree(tree, 'README.md')).toContain('install PowerShell 7 there first');
  });

  it.skipIf(bicepMissing)('compiles and lints the Event Grid subscription deployed by the postdeploy hook', () => {
    const tree = render(ALL);
    const dir = scratchDir('event-processing-hook');
    for (const path of ['bicepconfig.json', 'infra/hooks/eventgrid-subscription.bicep']) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), readTree(tree, path));
    }
    const lint = runBicep('lint', join(dir, 'infra/hooks/eventgrid-subscription.bicep'));
    expect(lint.diagnostics).toEqual([]);
    expect(lint.status).toBe(0);
    // The Bicep CLI starts .NET: slow on a busy machine.
  }, 120_000);
});
