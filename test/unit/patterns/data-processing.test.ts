import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/engine/plan.js';
import { readTree, renderPlan } from '../../../src/engine/render.js';
import { ValidationError } from '../../../src/exit-codes.js';
import { bicepMissing, runBicep } from '../../support/bicep.js';
import { runCli, scratchDir } from '../../support/generated-app.js';

function render(options: Record<string, unknown> = {}) {
  const plan = buildPlan({ name: 'etl-app', location: 'eastus2', patterns: { 'data-processing': options } }, '/tmp/etl-app');
  const tree = renderPlan(plan);
  return { plan, tree, read: (path: string) => readTree(tree, path) };
}

function validationError(options: Record<string, unknown>): string {
  try {
    render(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('data-processing options', () => {
  it.each([
    [{ dataInput: 'ftp' }, '--data-input: unknown value "ftp"; expected one of blob, queue, eventhubs'],
    [{ dataFormat: 'xml' }, '--data-format: unknown value "xml"; expected one of csv, json, ndjson'],
    [{ dataDestination: 'sql' }, '--data-destination: unknown value "sql"; expected one of table, cosmos, blob'],
    [{ inputContainer: 'Incoming' }, '--data-container: "Incoming" is not a valid Azure container name: it may contain only lowercase letters, digits and hyphens'],
    [{ inputContainer: 'ab' }, '--data-container: "ab" is not a valid Azure container name: it must be 3 to 63 characters long'],
    [{ archiveContainer: 'old--files' }, '--data-archive-container: "old--files" is not a valid Azure container name: it must not contain consecutive hyphens'],
    [{ poisonContainer: '-poison' }, '--data-poison-container: "-poison" is not a valid Azure container name: it must start and end with a letter or digit'],
    [{ inputContainer: 'azure-webjobs-hosts' }, '--data-container: "azure-webjobs-hosts" is a container the Functions host keeps its own state in; choose another name'],
    [{ archiveContainer: 'azure-webjobs-secrets' }, '--data-archive-container: "azure-webjobs-secrets" is a container the Functions host keeps its own state in; choose another name'],
    [{ inputQueue: 'q'.repeat(57) }, `--data-queue: "${'q'.repeat(57)}" is not a valid Azure queue name: it must be 3 to 56 characters long`],
    [{ inputQueue: 'my_queue' }, '--data-queue: "my_queue" is not a valid Azure queue name: it may contain only lowercase letters, digits and hyphens'],
    [{ coolAfterDays: '0' }, '--data-cool-after-days: "0" is not a whole number of days between 1 and 99999'],
    [{ archiveAfterDays: 'soon' }, '--data-archive-after-days: "soon" is not a whole number of days between 1 and 99999'],
  ])('rejects %j with a clear message', (options, message) => {
    expect(validationError(options)).toBe(message);
  });

  it('rejects containers that share a name and tiering days out of order', () => {
    expect(validationError({ archiveContainer: 'poison' })).toBe(
      'data-processing: --data-poison-container and --data-archive-container both name the container "poison"; each container needs its own name',
    );
    expect(validationError({ inputContainer: 'reference' })).toMatch(/--data-container and the generated "reference" container/);
    expect(validationError({ coolAfterDays: 90, archiveAfterDays: 60 })).toMatch(/--data-archive-after-days \(60\) must be greater than --data-cool-after-days \(90\)/);
  });

  it('accepts flag strings and answers-file values alike', () => {
    const { plan } = render({ dataInput: 'QUEUE', coolAfterDays: '7', archiveAfterDays: 365 });
    expect(plan.answers.patterns['data-processing']).toMatchObject({ dataInput: 'queue', coolAfterDays: 7, archiveAfterDays: 365 });
  });
});

describe('data-processing rendered tree', () => {
  it('README: uploading the reference data goes to the container and blob the enrich stage reads', () => {
    const { read } = render();
    expect(read('src/data-processing/config.ts')).toMatch(/referenceContainer: "reference",\n  referenceBlob: 'customers\.json',/);
    expect(read('README.md')).toContain('the `customers.json` blob of the `reference` container');
    expect(read('README.md')).toContain('`az storage blob upload --auth-mode login --account-name <AZURE_STORAGE_ACCOUNT_NAME> -c reference -n customers.json -f customers.json`');
    expect(read('infra/main.bicep')).toContain('output AZURE_STORAGE_ACCOUNT_NAME string');
  });

  it('defaults to blob input (blob trigger, Event Grid source, BlobClient binding), CSV and Table storage, with the webhook hook and the slow memory check', () => {
    const { tree, read } = render();
    expect(tree.paths).toEqual(
      expect.arrayContaining([
        'src/functions/processBlob.ts',
        'src/data-processing/blob-client-factory.ts',
        'test/data-processing/blob-client-factory.test.ts',
        'src/data-processing/parse.ts',
        'src/data-processing/persist.ts',
        'test/data-processing/processBlob.test.ts',
        'test/data-processing/streaming-memory.slow.ts',
        'test/vitest.slow.config.ts',
        'infra/modules/data-processing.bicep',
        'infra/hooks/postdeploy.mjs',
        'infra/hooks/postdeploy.d/data-processing-event-grid.mjs',
        'test/hooks/postdeploy.test.ts',
        'test/hooks/data-processing-event-grid.test.ts',
      ]),
    );
    expect(read('src/data-processing/parse.ts')).toContain("from 'csv-parse'");
    expect(read('src/data-processing/persist.ts')).toContain('class TableDestination');
    // Each input gets only the storage moves and settings it uses.
    const moves = read('src/data-processing/storage-moves.ts');
    expect(moves).toContain('export async function moveBlob(');
    expect(moves).not.toContain('storePayload');
    expect(read('src/data-processing/config.ts')).not.toContain('format:');
    const blobFunction = read('src/functions/processBlob.ts');
    expect(blobFunction).toContain('app.storageBlob("processBlob", {');
    expect(blobFunction).toContain("source: 'EventGrid',");
    expect(blobFunction).toContain('sdkBinding: true,');
    expect(blobFunction).toContain('registerBlobClientFactory();');
    expect(JSON.parse(read('host.json')).extensions.blobs).toEqual({ maxDegreeOfParallelism: 4, poisonBlobThreshold: 5 });
    const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(packageJson.scripts['test:slow']).toBe('vitest run --config test/vitest.slow.config.ts');
    expect(Object.keys(packageJson.dependencies)).toEqual(
      expect.arrayContaining(['zod', 'csv-parse', '@azure/storage-blob', '@azure/data-tables', '@azure/functions-extensions-base']),
    );
    // The factory registry is shared only if the app and @azure/functions load the same copy of the package.
    expect(packageJson.dependencies['@azure/functions-extensions-base']).toBe('0.3.0');
    expect(packageJson.dependencies).not.toHaveProperty('@azure/cosmos');
    expect(read('azure.yaml')).toContain('postdeploy');

    const bicep = read('infra/modules/data-processing.bicep');
    expect(bicep).toContain("resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15'");
    expect(bicep).toContain('daysAfterModificationGreaterThan: 30');
    expect(bicep).toContain('daysAfterModificationGreaterThan: 180');
    expect(bicep).not.toContain('Microsoft.DocumentDB');
    expect(read('infra/main.bicep')).toContain("module dataProcessing 'modules/data-processing.bicep'");
    const hook = read('infra/hooks/postdeploy.d/data-processing-event-grid.mjs');
    expect(spawnSync(process.execPath, ['--input-type=module', '--check'], { input: hook }).status).toBe(0);
    expect(hook).toContain('const FUNCTION_NAME = "processBlob";\nconst INPUT_CONTAINER = "incoming";');
    expect(hook).toContain("new URL('../data-processing-event-grid.bicep', import.meta.url)");
    // The key never reaches the hook: it asks only for the key's type, the deployment reads the key itself.
    expect(hook).toContain("'--query', 'type(systemKeys.blobs_extension)'");
    expect(hook).not.toMatch(/'systemKeys\.blobs_extension'/);
    expect(read('test/hooks/data-processing-event-grid.test.ts')).toContain('const FUNCTION_NAME = "processBlob";');
    const subscription = read('infra/hooks/data-processing-event-grid.bicep');
    expect(subscription).toContain("functionName=Host.Functions.processBlob&code=${listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension}");
    expect(subscription).toContain("var inputContainerName = 'incoming'");
    expect(subscription).toContain("blobContainerName: 'upload-dead-letters'");
    expect(bicep).toContain("'upload-dead-letters'");
    expect(bicep).toContain("module eventGridAlerts 'metric-alerts.bicep'");
    expect(tree.paths).toContain('infra/modules/metric-alerts.bicep');
  });

  it('queue + NDJSON + Cosmos DB: queue trigger, Cosmos with local auth off and a data-plane role, no Event Grid', () => {
    const { tree, read } = render({ dataInput: 'queue', dataFormat: 'ndjson', dataDestination: 'cosmos', inputQueue: 'orders-in' });
    expect(tree.paths).toContain('src/functions/processQueueMessage.ts');
    expect(tree.paths.filter((path) => path.startsWith('infra/hooks/') || path.startsWith('test/hooks/'))).toEqual([]);
    expect(read('azure.yaml')).not.toContain('hooks:');
    expect(tree.paths).not.toContain('src/data-processing/blob-client-factory.ts');
    expect(JSON.parse(read('package.json')).dependencies).not.toHaveProperty('@azure/functions-extensions-base');
    expect(read('src/data-processing/config.ts')).toContain('inputQueue: "orders-in"');
    expect(read('src/data-processing/config.ts')).not.toContain('inputContainer');
    expect(read('src/data-processing/config.ts')).toContain('format: "ndjson"');
    const moves = read('src/data-processing/storage-moves.ts');
    expect(moves).toContain('export async function storePayload(');
    expect(moves).not.toContain('moveBlob');
    expect(read('src/data-processing/persist.ts')).toContain('class CosmosDestination');
    const bicep = read('infra/modules/data-processing.bicep');
    expect(bicep).toContain('disableLocalAuth: true');
    expect(bicep).toContain("'${cosmos.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'");
    expect(bicep).toContain("for name in [inputQueueName, '${inputQueueName}-poison']");
    expect(bicep).not.toContain('systemTopics');
    expect(read('infra/main.bicep')).toContain('COSMOS_ENDPOINT: dataProcessing.outputs.cosmosEndpoint');
    expect(JSON.parse(read('host.json')).extensions.queues).toMatchObject({ maxDequeueCount: 5 });
  });

  it('Cosmos DB: local settings name the deployed account, since the client signs in with Entra ID only', () => {
    const { read } = render({ dataDestination: 'cosmos' });
    // The emulator (localhost:8081) accepts only its well-known key; the client never sends one.
    expect(read('src/data-processing/persist.ts')).toContain('new CosmosClient({ endpoint, aadCredentials: azureCredential() })');
    expect(JSON.parse(read('local.settings.json')).Values.COSMOS_ENDPOINT).toBe('https://your-account.documents.azure.com:443/');
    expect(read('README.md').replace(/\s+/g, ' ')).toContain('to run the app locally set `COSMOS_ENDPOINT` in `local.settings.json` to the deployed account\'s endpoint and sign in with `az login`');
  });

  // The namespace refuses SAS keys and azd grants the send role to no one: a README silent on it left a deployed app
  // whose producers (and developer) could not send an input, and a local trigger pointed at a placeholder namespace.
  it('Event Hubs input: README says producers need the Data Sender role (no keys) and how to run the trigger locally', () => {
    const { read } = render({ dataInput: 'eventhubs' });
    expect(read('infra/modules/data-processing.bicep')).toContain('disableLocalAuth: true');
    const readme = read('README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('need the *Azure Event Hubs Data Sender* role on the `records` event hub');
    expect(readme).toContain('set `EventHubConnection__fullyQualifiedNamespace` in `local.settings.json` to the deployed namespace');
    expect(readme).toContain('*Azure Event Hubs Data Receiver* on the event hub');
    expect(render({ dataInput: 'queue' }).read('README.md')).not.toContain('Azure Event Hubs Data Sender');
  });

  it('Event Hubs + JSON + blob output: identity-based trigger settings and a receiver role on the hub', () => {
    const { read } = render({ dataInput: 'eventhubs', dataFormat: 'json', dataDestination: 'blob' });
    expect(read('src/functions/processEvents.ts')).toContain("cardinality: 'many'");
    const main = read('infra/main.bicep');
    expect(main).toContain('EventHubConnection__fullyQualifiedNamespace: dataProcessing.outputs.eventHubsNamespaceHost');
    expect(main).toContain("EventHubConnection__credential: 'managedidentity'");
    const bicep = read('infra/modules/data-processing.bicep');
    expect(bicep).toContain('scope: eventHub');
    expect(bicep).toContain('disableLocalAuth: true');
    expect(read('src/data-processing/persist.ts')).toContain('class BlobDestination');
  });

  // QA found `[1,]` read as a record more than the input holds, and an empty JSON input poisoned where CSV and NDJSON completed.
  it.each(['csv', 'json', 'ndjson'])('%s input: README says an empty payload completes with no records and a JSON trailing comma poisons the input', (dataFormat) => {
    const readme = render({ dataFormat }).read('README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('JSON that is not an array or has an empty element, such as a trailing comma in `[{…},]`) is moved to poison at once');
    expect(readme).toContain('An empty payload (no bytes, or only whitespace) completes with no records.');
  });

  it('writes the retention of status and quarantine rows to the app settings, and generates the nightly purge', () => {
    const { read } = render({ retentionDays: 45 });
    expect(read('infra/main.bicep')).toContain("DATA_RETENTION_DAYS: '45'");
    expect(JSON.parse(read('local.settings.json')).Values.DATA_RETENTION_DAYS).toBe('45');
    expect(read('src/functions/purgeDataRecords.ts')).toContain("app.timer('purgeDataRecords', {");
    expect(read('README.md')).toContain('kept for 45 days after their last write');
    expect(validationError({ retentionDays: '0' })).toBe('--data-retention-days: "0" is not a whole number of days between 1 and 99999');
  });

  it.each([
    [{ dataInput: 'queue' }, 'processQueueMessage'],
    [{ dataInput: 'eventhubs' }, 'processEvents'],
  ])('declares the %j trigger binary, so bodies reach the strict decoder as bytes', (options, functionName) => {
    const { read } = render(options);
    expect(read(`src/functions/${functionName}.ts`)).toContain(`export const ${functionName}Trigger = binaryTrigger(`);
    expect(read('src/data-processing/payload.ts')).toContain("dataType: 'binary'");
    expect(read('src/data-processing/storage-moves.ts')).not.toContain('payloadText');
  });

  it.each([
    [{}, 'fix the cause, then upload the file again.'],
    [{ dataInput: 'queue', inputQueue: 'orders-in' }, 'send the content of its blob\n(in the folder **orders-in**, named by the message id) again as a new message'],
    [{ dataInput: 'eventhubs' }, 'send the content of its blob\n(in the folder **records**, named by partition, sequence number and enqueued time) again as a new event'],
  ])('README says how to replay a poisoned input of its kind (%j)', (options, replay) => {
    expect(render(options).read('README.md')).toContain(replay);
  });

  it('declares the four pipeline alerts', () => {
    const { plan } = render();
    expect(plan.contribution.alerts.map((alert) => alert.id)).toEqual(
      expect.arrayContaining(['data-quarantine-rate', 'data-poison-backlog', 'data-processing-latency', 'data-throughput-drop']),
    );
  });

  // No KQL engine runs here (queries are checked as valid KQL in alerts.test.ts): these pin what each query computes.
  it('judges a throughput drop only for a stream that flowed in nearly every baseline hour, not for files that come in bursts', () => {
    const drop = render().plan.contribution.alerts.find((alert) => alert.id === 'data-throughput-drop')!;
    expect(drop.query).toContain('BaselineHours = dcountif(bin(TimeGenerated, 1h), TimeGenerated <= ago(1h) and Persisted > 0)');
    expect(drop.query).toContain('| where BaselineHours >= 20\n| project DropPercent = 100.0 - 100.0 * Recent / Baseline');
    expect(drop.description).toContain('for a steady stream (records persisted in at least 20 of those hours)');
  });

  it('divides quarantined by received records in real numbers: 59 of 1,000 is over 5%', () => {
    const rate = render().plan.contribution.alerts.find((alert) => alert.id === 'data-quarantine-rate')!;
    expect(rate.query).toContain('100.0 * Quarantined / Records');
    expect(rate.query).not.toContain('toint(');
  });

  it.each([
    [{}, "Message has \"Moving message to queue 'webjobs-blobtrigger-poison'\""],
    [{ dataInput: 'queue', inputQueue: 'orders-in' }, "Message has \"Moving message to queue 'orders-in-poison'\""],
    [{ dataInput: 'eventhubs' }, undefined],
  ])('the poison alert counts the DataInputPoisoned events the app sends, and what the host moved to its poison queue (%j)', (options, hostPoison) => {
    const { plan, read } = render(options);
    const poisonAlert = plan.contribution.alerts.find((alert) => alert.id === 'data-poison-backlog')!;
    // An event no sampling drops, where the one "Data pipeline moved input to poison" line could be sampled away under load.
    expect(poisonAlert.query).toMatch(/^(union \(|)AppEvents\n\| where Name == "DataInputPoisoned"/);
    expect(poisonAlert.query).not.toContain('Data pipeline moved input to poison');
    expect(read('src/data-processing/pipeline.ts')).toContain("export const POISONED_EVENT = 'DataInputPoisoned';");
    expect(read('README.md')).toContain('the `data-poison-backlog` alert counts those events (`AppEvents`)');
    if (hostPoison) expect(poisonAlert.query).toContain(hostPoison);
    else expect(poisonAlert.query).not.toContain('Moving message to queue');
  });

  it.skipIf(bicepMissing)('compiles and lints the upload subscription the postdeploy hook deploys', () => {
    const { read } = render();
    const dir = scratchDir('data-processing-hook');
    for (const path of ['bicepconfig.json', 'infra/hooks/data-processing-event-grid.bicep']) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), read(path));
    }
    const lint = runBicep('lint', join(dir, 'infra/hooks/data-processing-event-grid.bicep'));
    expect(lint.diagnostics).toEqual([]);
    expect(lint.status).toBe(0);
    // The Bicep CLI starts .NET: slow on a busy machine.
  }, 120_000);
});

describe('data-processing CLI', () => {
  it('exits with a usage error and writes nothing for a bad container name', () => {
    const parent = scratchDir('dp');
    const result = runCli(['app', '--yes', '--no-install', '--no-git', '--pattern', 'data-processing', '--data-container', 'Bad_Name'], { cwd: parent });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--data-container: "Bad_Name" is not a valid Azure container name');
    expect(existsSync(join(parent, 'app')) ? readdirSync(join(parent, 'app')) : []).toEqual([]);
  });
});
