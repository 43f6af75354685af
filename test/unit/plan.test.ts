import { describe, expect, it } from 'vitest';
import { parseLocation } from '../../src/azure/locations.js';
import { baseContribution } from '../../src/base.js';
import { ValidationError } from '../../src/exit-codes.js';
import { optionSources, parsePatternIds } from '../../src/engine/answers.js';
import { composeContributions } from '../../src/engine/compose.js';
import { buildPlan } from '../../src/engine/plan.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { azureSlug, MAX_PROJECT_NAME_LENGTH, parseProjectName } from '../../src/engine/project-name.js';
import { PATTERNS } from '../../src/patterns/index.js';
import { emptyContribution, PATTERN_IDS, type PatternId } from '../../src/patterns/types.js';

describe('project names', () => {
  // The last: the reserved word lies past the part of the name that goes into Azure resource names.
  it.each(['orders-api', 'a', 'app2', 'connector', 'com10', 'x'.repeat(MAX_PROJECT_NAME_LENGTH), `${'x'.repeat(24)}-windows`])('accepts %j', (name) => {
    expect(parseProjectName(name)).toBe(name);
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['My App', /invalid/],
    ['my app', /invalid/],
    ['"quoted"', /invalid/],
    ["it's", /invalid/],
    ['../escape', /invalid/],
    ['a/b', /invalid/],
    ['ünïcode', /invalid/],
    ['1st-app', /invalid/],
    ['double--hyphen', /invalid/],
    ['trailing-', /invalid/],
    ['Upper', /invalid/],
    ['x'.repeat(MAX_PROJECT_NAME_LENGTH + 1), /41 characters; the limit is 40/],
    ['node_modules', /invalid/],
    // The project name is its folder's name too: Windows reserves these, so the repository could not be cloned there.
    ['con', /"con" is a device name on Windows/],
    ['nul', /"nul" is a device name on Windows/],
    ['com1', /"com1" is a device name on Windows/],
    ['lpt9', /"lpt9" is a device name on Windows/],
    // The function app is func-<name>-<token>, and Azure refuses a resource name holding either word: azd up failed.
    ['windows-sync', /"windows-sync" contains "windows", which Azure refuses in resource names \(ReservedResourceName\): the function app would be func-windows-sync-…; choose another name/],
    ['graph-microsoft365', /contains "microsoft"/],
  ])('rejects %j', (name, message) => {
    expect(() => parseProjectName(name)).toThrow(ValidationError);
    expect(() => parseProjectName(name)).toThrow(message);
  });

  it('shows control characters escaped in the message, never raw', () => {
    expect(() => parseProjectName('bad\u001b[31mname')).toThrow('bad\\u001b[31mname');
  });

  it('derives Azure names that fit every resource limit, for the longest name', () => {
    const slug = azureSlug('a'.repeat(MAX_PROJECT_NAME_LENGTH));
    const token = 'x'.repeat(13); // uniqueString() is 13 characters
    expect(`func-${slug}-${token}`.length).toBeLessThanOrEqual(60); // function app
    expect(`plan-${slug}-${token}`.length).toBeLessThanOrEqual(60);
    expect(`log-${slug}-${token}`.length).toBeLessThanOrEqual(63); // Log Analytics
    expect(`st${token}`).toMatch(/^[a-z0-9]{3,24}$/); // storage account
    expect(`kv-${token}`.length).toBeLessThanOrEqual(24); // Key Vault
    expect(azureSlug('abc-def-ghi-jkl-mno-pqr-stu-vwx')).not.toMatch(/-$/);
  });
});

describe('locations', () => {
  it('accepts names and display names of Flex Consumption regions', () => {
    expect(parseLocation('eastus2')).toBe('eastus2');
    expect(parseLocation('West Europe')).toBe('westeurope');
  });

  it('rejects unknown regions and lists the valid ones', () => {
    expect(() => parseLocation('mars-north')).toThrow(/unknown or unsupported Azure region "mars-north"; Flex Consumption regions: .*eastus2/);
  });
});

describe('pattern ids', () => {
  it('parses a comma list into registry order without duplicates', () => {
    expect(parsePatternIds('scheduled-tasks, http-api,http-api')).toEqual(['http-api', 'scheduled-tasks']);
  });

  it('names unknown ids and lists the valid ones', () => {
    expect(() => parsePatternIds('http-api,cron,ftp')).toThrow(`unknown pattern "cron", "ftp"; valid patterns: ${PATTERN_IDS.join(', ')}`);
    expect(() => parsePatternIds(' , ')).toThrow(/give at least one/);
  });

  it('matches ids like every other choice, trimmed and in any case, as the canonical id', () => {
    expect(parsePatternIds('HTTP-API, Scheduled-Tasks,http-api')).toEqual(['http-api', 'scheduled-tasks']);
    expect(() => parsePatternIds('HTTP-APIS')).toThrow(/unknown pattern "HTTP-APIS"/);
  });
});

describe('the pattern registry', () => {
  it('has one module per id, each with its matrix row', () => {
    expect(Object.keys(PATTERNS)).toEqual([...PATTERN_IDS]);
    for (const id of PATTERN_IDS) {
      expect(PATTERNS[id].id).toBe(id);
      expect(PATTERNS[id].matrix.useCase).not.toBe('');
    }
  });

  it('gives every option a unique long flag that does not shadow a core flag', () => {
    const core = ['--pattern', '--name', '--location', '--yes', '--dry-run', '--package-manager', '--install', '--no-install', '--git', '--no-git', '--debug', '--version', '--help', '--json', '--answers'];
    const flags = PATTERN_IDS.flatMap((id) => Object.values(PATTERNS[id].options).map((spec) => spec.flag.split(/[ ,]/).find((part) => part.startsWith('--'))!));
    expect(new Set(flags).size).toBe(flags.length);
    expect(flags.filter((flag) => core.includes(flag))).toEqual([]);
  });

  it('takes every choice in any case, as every choice parser compares alike (BLOB is blob)', () => {
    for (const id of PATTERN_IDS) {
      for (const [key, spec] of Object.entries(PATTERNS[id].options)) {
        if (spec.prompt.kind === 'input') continue;
        for (const { value } of spec.prompt.choices) {
          const parsed = spec.parse(` ${value.toUpperCase()} `);
          expect(Array.isArray(parsed) ? parsed : [parsed], `${id}.${key}`).toEqual([value]);
        }
      }
    }
  });

  it('accepts every option default through its own parser (what --yes relies on)', () => {
    for (const id of PATTERN_IDS) {
      for (const [key, spec] of Object.entries(PATTERNS[id].options)) {
        expect(spec.parse(spec.defaultValue), `${id}.${key}`).toEqual(spec.defaultValue);
      }
    }
  });
});

describe('buildPlan', () => {
  const answers = { name: 'orders', location: 'eastus2', patterns: { 'scheduled-tasks': {}, 'http-api': {} } };

  it('orders patterns canonically and records the validated answers', () => {
    const plan = buildPlan(answers, '/tmp/orders');
    expect(plan.patterns.map((p) => p.definition.id)).toEqual(['http-api', 'scheduled-tasks']);
    expect(plan.answers.name).toBe('orders');
    expect(plan.project).toEqual({ name: 'orders', slug: 'orders', location: 'eastus2' });
  });

  it('prefixes validation errors with the answer at fault', () => {
    expect(() => buildPlan({ ...answers, name: 'Bad Name' }, '/tmp/x')).toThrow(/^name: project name "Bad Name" is invalid/);
    expect(() => buildPlan({ ...answers, location: 'nowhere' }, '/tmp/x')).toThrow(/^location: unknown or unsupported/);
  });

  it('names the options of a cross-option rule where they were given: answers-file keys after the file, flags, or both', () => {
    const patterns = { 'data-processing': { coolAfterDays: 200, archiveAfterDays: 100 } };
    const file = { patterns, source: '--answers a.json' };
    const plan = (flags: Record<string, string>) => () =>
      buildPlan({ ...answers, patterns: { 'data-processing': { ...patterns['data-processing'], ...flags } } }, '/tmp/x', optionSources(file, { 'data-processing': flags }));
    expect(plan({})).toThrow(
      /^--answers a\.json: patterns\.data-processing\.archiveAfterDays \(100\) must be greater than patterns\.data-processing\.coolAfterDays \(200\): blobs go cool first/,
    );
    expect(plan({ archiveAfterDays: '150' })).toThrow(/^--answers a\.json: --data-archive-after-days \(150\) must be greater than patterns\.data-processing\.coolAfterDays \(200\)/);
    expect(plan({ archiveAfterDays: '150', coolAfterDays: '160' })).toThrow(/^data-processing: --data-archive-after-days \(150\) must be greater than --data-cool-after-days \(160\)/);
    // A whole manifest keeps the answers one level down; a value that does not parse is named there too.
    const manifest = { patterns: { 'http-api': { auth: 'none', entraAudience: 'api://x' } }, source: '--answers m.json', keys: { answers: 'answers', patterns: 'answers.patterns' } };
    expect(() => buildPlan({ ...answers, patterns: manifest.patterns }, '/tmp/x', optionSources(manifest, {}))).toThrow(
      /^--answers m\.json: answers\.patterns\.http-api\.entraAudience applies only with answers\.patterns\.http-api\.auth entra-id/,
    );
    const shared = { 'event-processing': { storageQueueName: 'shared' }, 'data-processing': { dataInput: 'queue', inputQueue: 'shared' } };
    expect(() => buildPlan({ ...answers, patterns: shared }, '/tmp/x', optionSources({ patterns: shared, source: '--answers s.json' }, {}))).toThrow(
      /^--answers s\.json: event-processing \(patterns\.event-processing\.storageQueueName\) and data-processing \(patterns\.data-processing\.inputQueue\) both use/,
    );
  });

  it('rejects options a pattern does not have', () => {
    expect(() => buildPlan({ ...answers, patterns: { 'http-api': { bogus: 1 } } }, '/tmp/x')).toThrow(/unknown option for http-api: bogus/);
  });

  it('rejects option names every object has: constructor, toString', () => {
    expect(() => buildPlan({ ...answers, patterns: { 'http-api': { constructor: 1, toString: 'x' } } }, '/tmp/x')).toThrow(/unknown options for http-api: constructor, toString/);
  });

  it('builds every subset of the patterns without composition clashes', () => {
    for (let mask = 1; mask < 1 << PATTERN_IDS.length; mask++) {
      const ids = PATTERN_IDS.filter((_, bit) => mask & (1 << bit));
      expect(() => buildPlan({ name: 'combo', location: 'eastus2', patterns: Object.fromEntries(ids.map((id) => [id, {}])) }, '/tmp/c')).not.toThrow();
    }
  });

  // Their alerts page on one occurrence, which the host's sampling of log lines could drop: they send custom events.
  it.each(['event-processing', 'scheduled-tasks', 'data-processing'] as const)('gives %s the shared custom telemetry client, which no sampling touches', (id) => {
    const paths = buildPlan({ name: 'combo', location: 'eastus2', patterns: { [id]: {} } }, '/tmp/c').contribution.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['src/shared/custom-telemetry.ts', 'test/shared/custom-telemetry.test.ts']));
  });

  it('says in the README that single-occurrence alerts read unsampled custom events only where the app sends them', () => {
    const readme = (id: PatternId) => readTree(renderPlan(buildPlan({ name: 'combo', location: 'eastus2', patterns: { [id]: {} } }, '/tmp/c')), 'README.md');
    expect(readme('event-processing')).toContain('which no sampling drops, and the log line stays for people');
    expect(readme('http-api')).not.toContain('custom-telemetry');
  });

  // One storage account serves every pattern: two triggers on one queue would each get some of its messages.
  it.each([
    [
      { 'event-processing': {}, 'data-processing': { dataInput: 'queue', inputQueue: 'events' } },
      'event-processing (--storage-queue-name) and data-processing (--data-queue) both use the storage queue "events"; give one of them another name with --storage-queue-name or --data-queue',
    ],
    [
      { 'event-processing': { storageQueueName: 'orders' }, 'data-processing': { dataInput: 'queue', inputQueue: 'orders-poison' } },
      'event-processing (--storage-queue-name) and data-processing (--data-queue) both use the storage queue "orders-poison"; give one of them another name with --storage-queue-name or --data-queue',
    ],
    [
      { 'event-processing': { eventStyles: 'fan-out' }, 'data-processing': { dataInput: 'queue', inputQueue: 'audit' } },
      'event-processing and data-processing (--data-queue) both use the storage queue "audit"; give one of them another name with --data-queue',
    ],
    [
      { 'event-processing': {}, 'data-processing': { poisonContainer: 'dead-letters' } },
      'event-processing and data-processing (--data-poison-container) both use the storage container "dead-letters"; give one of them another name with --data-poison-container',
    ],
    [
      { 'http-api': { resources: 'job-runs' }, 'scheduled-tasks': {} },
      'http-api (--resource) and scheduled-tasks both use the storage table "JobRuns"; give one of them another name with --resource',
    ],
    [
      { 'http-api': { resources: 'quarantine' }, 'data-processing': {} },
      'http-api (--resource) and data-processing both use the storage table "quarantine"; give one of them another name with --resource',
    ],
    [
      { 'http-api': { resources: 'records' }, 'data-processing': {} },
      'http-api (--resource) and data-processing both use the storage table "records"; give one of them another name with --resource',
    ],
  ])('refuses two patterns sharing a storage queue, container or table (%#)', (patterns, message) => {
    expect(() => buildPlan({ name: 'shared', location: 'eastus2', patterns }, '/tmp/s')).toThrow(new ValidationError(message));
  });

  it('lets a resource take the name of the records table data-processing creates only with the table destination', () => {
    const patterns = { 'http-api': { resources: 'records' }, 'data-processing': { dataDestination: 'cosmos' } };
    expect(() => buildPlan({ name: 'shared', location: 'eastus2', patterns }, '/tmp/s')).not.toThrow();
  });

  // A job or a resource names its function's file: two of one name were a composition crash ("please report it").
  it.each([
    [{ 'http-api': {}, 'scheduled-tasks': { jobs: 'items=hourly' } }, 'http-api (--resource) and scheduled-tasks (--job) both generate src/functions/items.ts; give one of them another name with --resource or --job'],
    [
      { 'event-processing': {}, 'scheduled-tasks': { jobs: 'purge-processed-events=hourly' } },
      'event-processing and scheduled-tasks (--job) both generate src/functions/purge-processed-events.ts; give one of them another name with --job',
    ],
  ])('refuses two patterns generating one file, as an answer to change (%#)', (patterns, message) => {
    expect(() => buildPlan({ name: 'shared', location: 'eastus2', patterns }, '/tmp/s')).toThrow(new ValidationError(message));
  });

  // The host refuses to start an app registering one function name twice, ignoring case; the files differ.
  it.each([
    [
      { 'http-api': {}, 'scheduled-tasks': { jobs: 'items-list=hourly' } },
      'http-api (--resource) and scheduled-tasks (--job) both register a function named "items-list", which the Functions host refuses; give one of them another name with --resource or --job',
    ],
    [
      { 'http-api': { resources: 'orders' }, 'scheduled-tasks': { jobs: 'orders-item-method-not-allowed=hourly' } },
      'http-api (--resource) and scheduled-tasks (--job) both register a function named "orders-item-method-not-allowed", which the Functions host refuses; give one of them another name with --resource or --job',
    ],
    [
      { 'scheduled-tasks': { jobs: 'processblob=hourly' }, 'data-processing': {} },
      'scheduled-tasks (--job) and data-processing both register a function named "processBlob", which the Functions host refuses; give one of them another name with --job',
    ],
    [
      { 'event-processing': {}, 'scheduled-tasks': { jobs: 'purgeprocessedevents=hourly' } },
      'event-processing and scheduled-tasks (--job) both register a function named "purgeprocessedevents", which the Functions host refuses; give one of them another name with --job',
    ],
    [{ 'scheduled-tasks': { jobs: 'run-report=daily; health=hourly' } }, 'scheduled-tasks (--job) would register a function named "health", as every app does; give it another name with --job'],
  ])('refuses two patterns registering one function name (%#)', (patterns, message) => {
    expect(() => buildPlan({ name: 'shared', location: 'eastus2', patterns }, '/tmp/s')).toThrow(new ValidationError(message));
  });

  // add validates the new pattern's values here only: every one that fails is listed, not the first.
  it('lists every value that fails its own check, the unknown options of a pattern among them', () => {
    const patterns = { 'http-api': { auth: 'x', color: 'blue' }, 'scheduled-tasks': { timeZone: 'Mars/Base' } };
    let caught: unknown;
    try {
      buildPlan({ name: 'Bad Name', location: 'eastus2', patterns }, '/tmp/s');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).message).toBe('4 given values are invalid:');
    expect((caught as ValidationError).details).toEqual([
      expect.stringMatching(/^name: project name "Bad Name" is invalid/),
      expect.stringMatching(/^unknown option for http-api: color \(known: /),
      expect.stringMatching(/^--auth: unknown auth mode "x"/),
      expect.stringMatching(/^--time-zone: "Mars\/Base" is not an IANA time zone/),
    ]);
  });

  // add cannot change a pattern the app already has: a clash with it names only what the pattern being added can change.
  const queueClash = { 'event-processing': {}, 'data-processing': { dataInput: 'queue', inputQueue: 'events' } };
  it.each([
    [
      queueClash,
      'event-processing',
      'data-processing (--data-queue) would use the storage queue "events", which event-processing already uses in this project; give it another name with --data-queue',
    ],
    [
      queueClash,
      'data-processing',
      'event-processing (--storage-queue-name) would use the storage queue "events", which data-processing already uses in this project; give it another name with --storage-queue-name',
    ],
    [
      { 'http-api': { resources: 'job-runs' }, 'scheduled-tasks': {} },
      'http-api',
      'scheduled-tasks would use the storage table "JobRuns", which http-api already uses in this project; scheduled-tasks has no option that names it, so it cannot be added to this project',
    ],
    [
      { 'http-api': {}, 'scheduled-tasks': { jobs: 'items=hourly' } },
      'http-api',
      'scheduled-tasks (--job) would generate src/functions/items.ts, which http-api already generates in this project; give it another name with --job',
    ],
    [
      { 'http-api': {}, 'scheduled-tasks': { jobs: 'items-list=hourly' } },
      'http-api',
      'scheduled-tasks (--job) would register a function named "items-list", which http-api already registers in this project; give it another name with --job',
    ],
    [
      { 'http-api': {}, 'scheduled-tasks': { jobs: 'openapi=hourly' } },
      'scheduled-tasks',
      'http-api would generate src/functions/openapi.ts, which scheduled-tasks already generates in this project; http-api has no option that names it, so it cannot be added to this project',
    ],
  ])('names what the pattern being added can change in a clash with one the app has (%#)', (patterns, present, message) => {
    expect(() => buildPlan({ name: 'shared', location: 'eastus2', patterns }, '/tmp/s', undefined, new Set([present as PatternId]))).toThrow(new ValidationError(message));
  });

  it.each([
    { 'event-processing': { eventSources: 'eventgrid,servicebus,eventhubs,storage-queue' } },
    { 'event-processing': { eventSources: 'eventhubs' } },
    ...['blob', 'queue', 'eventhubs'].map((dataInput) => ({ 'data-processing': { dataInput } })),
  ])('declares the function names its code registers under a fixed name (%o)', (patterns) => {
    const plan = buildPlan({ name: 'names', location: 'eastus2', patterns }, '/tmp/n');
    const tree = renderPlan(plan);
    const registered = tree.paths
      .filter((path) => path.startsWith('src/functions/'))
      .flatMap((path) => [...readTree(tree, path).matchAll(/\bapp\.\w+\(\s*['"]([^'"]+)['"]/g)].map((match) => match[1]));
    const [pattern] = plan.patterns;
    expect(registered.sort()).toEqual([...baseContribution().functionNames, ...pattern!.definition.contribute(pattern!.options, plan.project).functionNames].map((declared) => declared.name).sort());
  });

  it('declares the function names the HTTP API registers for each resource, as src/http/crud.ts names them', () => {
    const plan = buildPlan({ name: 'names', location: 'eastus2', patterns: { 'http-api': { resources: 'orders,customers' } } }, '/tmp/n');
    const crud = readTree(renderPlan(plan), 'src/http/crud.ts');
    const operations = [...crud.matchAll(/\{ operation: '(\w+)'/g)].map((match) => match[1]!);
    expect(crud).toContain("app.http(`${resource.name}-${item ? 'item' : 'collection'}-method-not-allowed`");
    const perResource = (name: string) => [...operations, 'collection-method-not-allowed', 'item-method-not-allowed'].map((suffix) => `${name}-${suffix}`);
    const [pattern] = plan.patterns;
    const declared = pattern!.definition.contribute(pattern!.options, plan.project).functionNames;
    expect(declared.map((function_) => function_.name)).toEqual(['openapi', ...perResource('orders'), ...perResource('customers')]);
    // Named by the resources, so a clash over one says which option to change; openapi is the pattern's own.
    expect(declared.filter((function_) => function_.option === 'resources')).toHaveLength(declared.length - 1);
  });

  it('lets patterns use alike names for different kinds, or a name an unused option would have taken', () => {
    // Blob input: --data-queue names no queue, so event processing may have "incoming-data".
    expect(() => buildPlan({ name: 'shared', location: 'eastus2', patterns: { 'event-processing': { storageQueueName: 'incoming-data' }, 'data-processing': {} } }, '/tmp/s')).not.toThrow();
    expect(() => buildPlan({ name: 'shared', location: 'eastus2', patterns: { 'event-processing': {}, 'data-processing': { inputContainer: 'events' } } }, '/tmp/s')).not.toThrow();
  });
});

describe('composeContributions', () => {
  it('refuses two contributions writing the same file or Bicep symbol', () => {
    const file = { template: 'base/host.json', path: 'host.json' };
    expect(() => composeContributions([{ ...emptyContribution(), files: [file] }, { ...emptyContribution(), files: [file] }])).toThrow(/same generated file "host.json"/);
  });

  it('deep-merges host.json fragments and refuses conflicting values', () => {
    const a = { ...emptyContribution(), hostJson: { extensions: { queues: { batchSize: 16 } } } };
    const b = { ...emptyContribution(), hostJson: { extensions: { http: { routePrefix: 'api' } } } };
    expect(composeContributions([a, b]).hostJson).toEqual({ extensions: { queues: { batchSize: 16 }, http: { routePrefix: 'api' } } });
    const clash = { ...emptyContribution(), hostJson: { extensions: { queues: { batchSize: 32 } } } };
    expect(() => composeContributions([a, clash])).toThrow(/conflicting values for "extensions.queues.batchSize"/);
  });

  it('pins dependencies from the versions map, sorted and deduplicated', () => {
    const composed = composeContributions([
      { ...emptyContribution(), dependencies: ['zod', '@azure/functions'] },
      { ...emptyContribution(), dependencies: ['zod'] },
    ]);
    expect(Object.keys(composed.dependencies)).toEqual(['@azure/functions', 'zod']);
    expect(composed.dependencies.zod).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('allows one app setting declared twice only when identical', () => {
    const setting = { name: 'X', local: 'a', cloud: { value: 'a' }, description: 'x' };
    expect(composeContributions([{ ...emptyContribution(), appSettings: [setting] }, { ...emptyContribution(), appSettings: [setting] }]).appSettings).toHaveLength(1);
    expect(() =>
      composeContributions([{ ...emptyContribution(), appSettings: [setting] }, { ...emptyContribution(), appSettings: [{ ...setting, local: 'b' }] }]),
    ).toThrow(/"X" is declared twice/);
  });
});
