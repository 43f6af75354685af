import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { recommendPatterns, WORKLOAD_DEFAULTS, WORKLOAD_RELEVANT, type Workload } from '../../src/advisor.js';
import { loadAnswersFile } from '../../src/engine/answers-file.js';
import { resolveAnswers, type CreateInput } from '../../src/engine/answers.js';
import { UserError, ValidationError } from '../../src/exit-codes.js';
import { PATTERNS } from '../../src/patterns/index.js';
import { questionName } from '../../src/patterns/option-kinds.js';
import { scriptedPrompter } from '../support/scripted-prompter.js';
import { scratchDir } from '../support/scratch.js';

const base: Workload = { requestResponse: false, reactsToEvents: false, runsOnSchedule: false, transformsData: false, volume: 'moderate', latency: 'seconds', ordering: false };

describe('recommendPatterns', () => {
  it('maps each workload trait to the pattern of the matrix built for it, with reasons', () => {
    expect(recommendPatterns({ ...base, requestResponse: true, latency: 'interactive' })).toEqual([
      { id: 'http-api', reasons: [expect.stringContaining('RESTful'), expect.stringContaining('interactive latency')] },
    ]);
    expect(recommendPatterns({ ...base, runsOnSchedule: true, transformsData: true }).map((r) => r.id)).toEqual(['scheduled-tasks', 'data-processing']);
  });

  it('adds event processing for ordering and very high volume, and says why', () => {
    const [, events] = recommendPatterns({ ...base, requestResponse: true, volume: 'very-high', ordering: true });
    expect(events).toEqual({
      id: 'event-processing',
      reasons: [expect.stringContaining('buffer work in a queue'), expect.stringContaining('Very High scalability'), expect.stringContaining('Service Bus sessions')],
      offered: { eventSources: ['servicebus'], ordering: 'ordered' },
    });
  });

  it('skips only questions whose answer cannot change the recommendation', () => {
    const answers = { volume: ['low', 'moderate', 'high', 'very-high'], latency: ['interactive', 'seconds', 'minutes'], ordering: [false, true] } as const;
    const yesNo = [false, true];
    for (const requestResponse of yesNo) for (const reactsToEvents of yesNo) for (const runsOnSchedule of yesNo) for (const transformsData of yesNo) {
      for (const volume of answers.volume) for (const latency of answers.latency) for (const ordering of answers.ordering) {
        const workload: Workload = { requestResponse, reactsToEvents, runsOnSchedule, transformsData, volume, latency, ordering };
        for (const question of Object.keys(WORKLOAD_RELEVANT) as (keyof typeof WORKLOAD_RELEVANT)[]) {
          if (WORKLOAD_RELEVANT[question](workload)) continue;
          expect(recommendPatterns(workload), `${question} of ${JSON.stringify(workload)}`).toEqual(recommendPatterns({ ...workload, [question]: WORKLOAD_DEFAULTS[question] }));
        }
      }
    }
  });

  it('falls back to the simplest pattern when nothing was chosen', () => {
    expect(recommendPatterns(base)).toEqual([{ id: 'http-api', reasons: [expect.stringContaining('simplest starting point')] }]);
  });
});

describe('resolveAnswers', () => {
  const input = (over: Partial<CreateInput> = {}): CreateInput => ({ patternOptions: {}, yes: false, ...over });

  it('walks the advisor, pre-selects its recommendation and asks only what is missing', async () => {
    const prompter = scriptedPrompter([
      [/Project name/, 'advised-app'],
      [/call it over HTTP/, true],
      [/react to events/, false],
      [/on a schedule/, true],
      [/transform files/, false],
      [/volume/, 'moderate'],
      [/How quickly/, 'interactive'],
      [/processed in the order/, false],
      [/Recommended: http-api, scheduled-tasks/, undefined],
      [/Azure region/, 'westeurope'],
      [/./, undefined], // every pattern option: its default
    ]);
    const resolved = await resolveAnswers(input(), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.directory).toBe('advised-app');
    expect(resolved.answers).toMatchObject({ name: 'advised-app', location: 'westeurope' });
    expect(Object.keys(resolved.answers.patterns)).toEqual(['http-api', 'scheduled-tasks']);
    expect(resolved.recommendations.map((r) => r.id)).toEqual(['http-api', 'scheduled-tasks']);
    const checkbox = prompter.asked.find((q) => q.kind === 'checkbox')!;
    expect(checkbox.default).toEqual(['http-api', 'scheduled-tasks']);
    expect(checkbox.choices?.map((c) => c.name)).toContain('HTTP API — RESTful · scalability High · complexity Low');
  });

  // Found by QA: "ordered: yes" was echoed as a reason, but the event sources still defaulted to a storage queue.
  it('pre-fills what an ordered workload needs: Service Bus as the event source, ordered processing', async () => {
    const prompter = scriptedPrompter([
      [/call it over HTTP|on a schedule|transform files/, false],
      [/react to events/, true],
      [/volume/, 'high'],
      [/processed in the order/, true],
      [/./, undefined], // everything else: the default offered
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['event-processing']).toMatchObject({ eventSources: ['servicebus'], ordering: 'ordered' });
    expect(resolved.recommendations[0]!.reasons.join('\n')).toContain('Service Bus sessions');
  });

  // Found by QA: with Service Bus swapped for a storage queue, ordering was dropped without a word.
  it('says so when an answer offered for the workload no longer applies to the options chosen', async () => {
    const prompter = scriptedPrompter([
      [/call it over HTTP|on a schedule|transform files/, false],
      [/react to events/, true],
      [/volume/, 'high'],
      [/processed in the order/, true],
      [/event sources/, ['storage-queue']],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['event-processing']).not.toHaveProperty('ordering');
    expect(resolved.notices).toEqual([
      'Event Processing: --ordering ordered, offered for your workload, does not apply to the options chosen: --ordering is none',
    ]);
  });

  it('asks about volume, latency and ordering only where they can change the recommendation', async () => {
    const prompter = scriptedPrompter([
      [/on a schedule/, true],
      [/call it over HTTP|react to events|transform files/, false],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.recommendations.map((r) => r.id)).toEqual(['scheduled-tasks']);
    expect(prompter.asked.map((q) => q.message).join('\n')).not.toMatch(/volume|How quickly|processed in the order/);
  });

  it('validates prompts inline with the same parser the flags use', async () => {
    const prompter = scriptedPrompter([[/Project name/, 'Not Valid']]);
    await expect(resolveAnswers(input({ pattern: 'http-api' }), { interactive: true, prompter, cwd: '/work' })).rejects.toThrow(/rejected by validation: project name "Not Valid" is invalid/);
  });

  it('asks nothing with --yes and nothing without a terminal', async () => {
    const prompter = scriptedPrompter([]);
    const resolved = await resolveAnswers(input({ directory: 'app', yes: true }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns).toEqual({ 'http-api': {} });
    await expect(resolveAnswers(input(), { interactive: false, prompter, cwd: '/work' })).rejects.toThrow(/missing required values \(nothing is asked without a terminal, in a dumb one \(TERM=dumb\), with CI=true or with --json\): \[directory\].*--pattern <ids>/);
    expect(prompter.asked).toEqual([]);
  });

  it('refuses an empty directory instead of creating the project in the working directory', async () => {
    const prompter = scriptedPrompter([]);
    await expect(resolveAnswers(input({ directory: '', yes: true }), { interactive: false, prompter, cwd: '/work/shop-app' })).rejects.toThrow(/^\[directory\]: must not be empty/);
    const answersFile = { name: '', patterns: { 'http-api': {} }, source: '--answers a.json' };
    await expect(resolveAnswers(input({ answersFile, yes: true }), { interactive: false, prompter, cwd: '/work/shop-app' })).rejects.toThrow(/^--answers a\.json: name: must not be empty; it is the project's npm package name/);
    await expect(resolveAnswers(input({ name: '', pattern: 'http-api', yes: true }), { interactive: false, prompter, cwd: '/work/shop-app' })).rejects.toThrow(/^--name: must not be empty; it is the project's npm package name/);
  });

  it('creates the folder --name names when no directory is given, as it does with an answers file\'s name', async () => {
    const prompter = scriptedPrompter([[/./, undefined]]);
    const resolved = await resolveAnswers(input({ name: 'shop', pattern: 'http-api' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved).toMatchObject({ directory: 'shop', answers: { name: 'shop' } });
    expect(prompter.asked.map((question) => question.message)).not.toContain('Project name');
    const answersFile = { name: 'from-file', patterns: { 'http-api': {} } };
    expect(await resolveAnswers(input({ answersFile, name: 'shop', yes: true }), { interactive: false, prompter, cwd: '/work' })).toMatchObject({ directory: 'shop', answers: { name: 'shop' } });
  });

  // Found by QA: `--pattern http-api,nope --auth bogus` reported --auth alone, and the unknown pattern only on the next run.
  it('lists an unknown --pattern with the other invalid values, before asking anything', async () => {
    const prompter = scriptedPrompter([]);
    const caught = await resolveAnswers(input({ directory: 'app', pattern: 'http-api,nope', location: 'mars', patternOptions: { 'http-api': { auth: 'bogus' } } }), {
      interactive: true,
      prompter,
      cwd: '/work',
    }).catch((error: unknown) => error);
    expect((caught as Error).message).toBe('3 given values are invalid:');
    expect((caught as { details: string[] }).details).toEqual([
      expect.stringMatching(/^--location: unknown or unsupported Azure region "mars"/),
      expect.stringMatching(/^--pattern: unknown pattern "nope"; valid patterns: http-api/),
      expect.stringMatching(/^--auth: unknown auth mode "bogus"/),
    ]);
    expect(prompter.asked).toEqual([]);
  });

  // Found by QA: without a terminal, `--pattern http-api --auth bogus --yes` reported --auth alone, and the missing
  // folder only on the next run, once --auth was fixed.
  it('without a terminal, reports the missing values with the invalid ones, one line each', async () => {
    const caught = async (over: Partial<CreateInput>) =>
      (await resolveAnswers(input(over), { interactive: false, prompter: scriptedPrompter([]), cwd: '/work' }).catch((error: unknown) => error)) as { message: string; details: string[] };
    const oneMissing = await caught({ pattern: 'http-api', yes: true, patternOptions: { 'http-api': { auth: 'bogus' } } });
    expect(oneMissing.message).toBe('1 given value is invalid and 1 required value is missing (--yes cannot default):');
    expect(oneMissing.details).toEqual([expect.stringMatching(/^--auth: unknown auth mode "bogus"/), 'missing: [directory] or --name (the project folder, e.g. my-app)']);
    const twoMissing = await caught({ location: 'mars', patternOptions: { 'http-api': { auth: 'bogus' } } });
    expect(twoMissing.message).toBe(
      '2 given values are invalid and 2 required values are missing (nothing is asked without a terminal, in a dumb one (TERM=dumb), with CI=true or with --json):',
    );
    expect(twoMissing.details).toEqual([
      expect.stringMatching(/^--location: unknown or unsupported Azure region "mars"/),
      expect.stringMatching(/^--auth: unknown auth mode "bogus"/),
      'missing: [directory] or --name (the project folder, e.g. my-app)',
      expect.stringMatching(/^missing: --pattern <ids> \(http-api, event-processing, scheduled-tasks, data-processing\)$/),
    ]);
    // Options of a pattern --pattern leaves out, which were refused only once every value was valid.
    const unselected = await caught({ directory: 'app', pattern: 'http-api', location: 'mars', patternOptions: { 'scheduled-tasks': { timeZone: 'UTC', pastDue: 'skip' }, 'data-processing': { dataFormat: 'csv' } } });
    expect(unselected.message).toBe('3 given values are invalid:');
    expect(unselected.details).toEqual([
      expect.stringMatching(/^--location: unknown or unsupported Azure region "mars"/),
      expect.stringMatching(/^--time-zone, --past-due configure scheduled-tasks, which is not selected \(add it to --pattern\)$/),
      expect.stringMatching(/^--data-format configures data-processing, which is not selected \(add it to --pattern\)$/),
    ]);
    // An invalid value of a pattern left out is named once, as left out: fixing the value would not do.
    const invalidAndUnselected = await caught({ directory: 'app', pattern: 'http-api', patternOptions: { 'data-processing': { dataFormat: 'xml' } } });
    expect(invalidAndUnselected.message).toBe('--data-format configures data-processing, which is not selected (add it to --pattern)');
    // An empty folder argument is listed with the rest, not alone.
    const empty = await caught({ directory: '', pattern: 'http-api', yes: true, location: 'mars' });
    expect(empty.message).toBe('2 given values are invalid:');
    expect(empty.details).toEqual([expect.stringMatching(/^\[directory\]: must not be empty/), expect.stringMatching(/^--location: unknown or unsupported Azure region "mars"/)]);
    // A pattern's rule over its options was checked only once the folder was given: a second run to learn of it.
    const rule = await caught({ pattern: 'event-processing', yes: true, patternOptions: { 'event-processing': { eventStyles: 'aggregation' } } });
    expect(rule.message).toBe('1 given value is invalid and 1 required value is missing (--yes cannot default):');
    expect(rule.details).toEqual([
      'event-processing: aggregation needs a key to group by: add --aggregation-key (a field of the event data, e.g. customerId)',
      'missing: [directory] or --name (the project folder, e.g. my-app)',
    ]);
  });

  it('rejects a project name or region it cannot use before asking anything', async () => {
    const rejected = async (over: Partial<CreateInput>, message: RegExp) => {
      const prompter = scriptedPrompter([]);
      await expect(resolveAnswers(input(over), { interactive: true, prompter, cwd: '/work' })).rejects.toThrow(message);
      expect(prompter.asked).toEqual([]);
    };
    // Without a terminal, a folder whose name is no project name is an error (in one, the name is asked: below).
    await expect(resolveAnswers(input({ directory: 'My App', pattern: 'http-api' }), { interactive: false, prompter: scriptedPrompter([]), cwd: '/work' })).rejects.toThrow(
      /^\[directory\]: project name "My App" is invalid.*; the folder's name is the project name: choose another folder, or keep this one and give the name with --name <name>$/,
    );
    await rejected({ directory: 'app', name: 'My App' }, /^--name: project name "My App" is invalid/);
    await rejected({ directory: 'app', location: 'mars' }, /^--location: unknown or unsupported Azure region "mars"/);
    await rejected({ directory: 'app', patternOptions: { 'http-api': { resources: 'Bad' } } }, /^--resource: resource "Bad" is not a valid name/);
    await rejected(
      { directory: 'app', answersFile: { patterns: { 'scheduled-tasks': { timeZone: 'Mars/Base' } }, source: '--answers a.json' } },
      /^--answers a\.json: patterns\.scheduled-tasks\.timeZone: "Mars\/Base" is not an IANA time zone/,
    );
    await rejected({ directory: 'app', answersFile: { location: 'mars', source: '--answers a.json' } }, /^--answers a\.json: location: unknown or unsupported Azure region "mars"/);
    await rejected({ answersFile: { name: 'My App', source: '--answers a.json' } }, /^--answers a\.json: name: project name "My App" is invalid/);
    await rejected(
      { directory: 'app', answersFile: { patterns: { 'scheduled-tasks': { timeZone: 'Mars/Base' } } }, patternOptions: { 'scheduled-tasks': { timeZone: 'Nowhere/Else' } } },
      /^--time-zone: "Nowhere\/Else" is not an IANA time zone/,
    );
  });

  it('refuses a folder that already holds files before the questions, not after all of them', async () => {
    const parent = scratchDir('taken');
    mkdirSync(join(parent, 'taken'));
    writeFileSync(join(parent, 'taken', 'notes.txt'), 'mine');
    mkdirSync(join(parent, 'empty'));
    writeFileSync(join(parent, 'a-file'), 'not a folder');
    const given = scriptedPrompter([]);
    await expect(resolveAnswers(input({ directory: 'taken' }), { interactive: true, prompter: given, cwd: parent })).rejects.toThrow(/taken is not empty; refusing to write into it/);
    expect(given.asked).toEqual([]);
    // Typed at the prompt, the name is refused there, with what to do; a missing or empty folder is taken.
    const nameCheck = async (name: string) => {
      const prompter = scriptedPrompter([[/Project name/, name]]);
      await resolveAnswers(input({ pattern: 'http-api', location: 'eastus2' }), { interactive: true, prompter, cwd: parent }).catch(() => undefined);
      return (prompter.asked[0]!.validate as (value: string) => string | true)(name);
    };
    expect(await nameCheck('taken')).toMatch(/folder .*taken already exists and is not empty: type another name/);
    expect(await nameCheck('a-file')).toMatch(/a-file exists and is not a directory.*: type another name/);
    expect(await nameCheck('empty')).toBe(true);
    expect(await nameCheck('new-app')).toBe(true);
  });

  it('names the project after the folder it is created in, also for `.`', async () => {
    const named = async (directory: string) => (await resolveAnswers(input({ directory, yes: true }), { interactive: false, prompter: scriptedPrompter([]), cwd: '/work/shop-app' })).answers.name;
    expect(await named('.')).toBe('shop-app');
    expect(await named('./')).toBe('shop-app');
    expect(await named('../other-app')).toBe('other-app');
    expect(await named('nested/dir/api')).toBe('api');
  });

  it('asks for an option only where the answers before it use it', async () => {
    const ask = (auth: string, sources: string[]) =>
      scriptedPrompter([
        [/authenticate/, auth],
        [/event sources/, sources],
        [/./, undefined],
      ]);
    const asked = async (auth: string, sources: string[]) => {
      const prompter = ask(auth, sources);
      const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'http-api,event-processing', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
      return { messages: prompter.asked.map((q) => q.message).join('\n'), patterns: resolved.answers.patterns };
    };

    const keyed = await asked('function-key', ['storage-queue']);
    expect(keyed.messages).not.toMatch(/token audience|Service Bus|event hub|ordered processing|aggregation groups by/);
    expect(keyed.messages).toMatch(/name of the storage queue/);
    expect(keyed.patterns['http-api']).not.toHaveProperty('entraAudience');

    const entra = await asked('entra-id', ['servicebus', 'eventhubs']);
    expect(entra.messages).toMatch(/token audience/);
    expect(entra.messages).toMatch(/Service Bus entity the app consumes[\s\S]*name of the Service Bus queue or topic[\s\S]*name of the event hub/);
    expect(entra.messages).toMatch(/ordered processing/);
    expect(entra.messages).not.toMatch(/name of the storage queue/);
    // Someone answering questions has typed no flag: a question reads as one, whatever --help says.
    expect(entra.messages).not.toMatch(/--[a-z]/);
  });

  it('parses each answer once: the parse that validated it is the one the later questions see', async () => {
    const { routePrefix, auth } = PATTERNS['http-api'].options;
    const routeParse = vi.spyOn(routePrefix, 'parse');
    const authParse = vi.spyOn(auth, 'parse');
    try {
      const prompter = scriptedPrompter([
        [/route prefix/, 'v1'],
        [/./, undefined],
      ]);
      const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'http-api', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
      expect(resolved.answers.patterns['http-api']).toMatchObject({ routePrefix: 'v1' });
      expect(routeParse.mock.calls).toEqual([['v1']]);
      expect(authParse.mock.calls).toEqual([['function-key']]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('shows answers that clash at once and asks again, the answers given before as defaults', async () => {
    const queues = ['audit', 'orders'];
    const prompter = scriptedPrompter([
      // First: the confirmation quotes the questions it names.
      [/"audit" is the name of a fan-out destination.*Answer its questions again\?/, true],
      [/event sources/, ['storage-queue']],
      [/processing styles/, (q) => (q.default as string[]).length === 3 ? (q.default as string[]) : ['filtering', 'transformation', 'fan-out']],
      [/name of the storage queue/, () => queues.shift()!],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'event-processing', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['event-processing']).toMatchObject({ eventStyles: ['filtering', 'transformation', 'fan-out'], storageQueueName: 'orders' });
    const styles = prompter.asked.filter((q) => q.kind !== 'confirm' && /processing styles/.test(q.message));
    expect(styles.map((q) => q.default)).toEqual([['filtering', 'transformation'], ['filtering', 'transformation', 'fan-out']]);
    expect(prompter.asked.filter((q) => q.kind === 'confirm')).toHaveLength(1);
  });

  it('asks again only the questions the clash names, not the whole pattern', async () => {
    const coolAfter = ['200', '30'];
    const prompter = scriptedPrompter([
      // First: the confirmation quotes the questions.
      [/Answer its questions again\?/, true],
      [/cool tier/, () => coolAfter.shift()!],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'data-processing', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['data-processing']).toMatchObject({ coolAfterDays: '30', archiveAfterDays: '180' });
    const messages = prompter.asked.map((q) => q.message);
    const again = messages.findIndex((message) => /Answer its questions again\?/.test(message));
    // Both answered at prompts: named by their questions, as asked, not by flags nobody typed.
    expect(messages[again]).toBe(
      'Data Processing: "days after which archived inputs move to the archive tier" (180) must be greater than "days after which archived inputs move to the cool tier" (200): blobs go cool first, then archive. Answer its questions again?',
    );
    expect(messages.slice(again + 1)).toEqual([expect.stringMatching(/cool tier/), expect.stringMatching(/archive tier/)]);
  });

  it('asks again, before the summary, the questions a clash between two patterns names', async () => {
    const dataQueues = ['events', 'incoming-data'];
    const prompter = scriptedPrompter([
      // First: the question asked again names the questions.
      [/both use the storage queue "events".*Answer those questions again\?/, true],
      [/where payloads arrive/, 'queue'],
      [/storage queue that receives input messages/, () => dataQueues.shift()!],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'event-processing,data-processing', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['data-processing']).toMatchObject({ dataInput: 'queue', inputQueue: 'incoming-data' });
    const messages = prompter.asked.map((q) => q.message);
    const again = messages.findIndex((message) => /Answer those questions again\?/.test(message));
    // Both queues were answered at prompts and the message names both, by their questions (no flag was typed): both are
    // asked again, earlier answers as defaults.
    expect(messages[again]).toBe(
      'event-processing ("name of the storage queue") and data-processing ("storage queue that receives input messages") both use the storage queue "events"; answer "name of the storage queue" or "storage queue that receives input messages" with another name. Answer those questions again?',
    );
    expect(messages.slice(again + 1)).toEqual([expect.stringMatching(/name of the storage queue/), expect.stringMatching(/storage queue that receives input messages/)]);
  });

  // A clash names an answer by its question, and the questions it names are the ones asked again: no two may read alike.
  it('names every option’s question apart from every other', () => {
    const names = Object.values(PATTERNS).flatMap((pattern) => Object.values(pattern.options).map((spec) => questionName(spec)));
    expect(new Set(names).size).toBe(names.length);
    expect(questionName(PATTERNS['data-processing'].options.inputQueue!)).toBe('"storage queue that receives input messages"');
  });

  // A flag typed and a question answered: each is named as the person gave it.
  it('names a clashing answer by its question and a clashing flag by the flag', async () => {
    const prompter = scriptedPrompter([
      [/Answer those questions again\?/, true],
      [/where payloads arrive/, 'queue'],
      [/storage queue that receives input messages/, (q) => (q.default === 'incoming-data' ? 'events' : 'incoming-data')],
      [/./, undefined],
    ]);
    const patternOptions = { 'event-processing': { storageQueueName: 'events' } };
    const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'event-processing,data-processing', location: 'eastus2', patternOptions }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['data-processing']).toMatchObject({ inputQueue: 'incoming-data' });
    expect(prompter.asked.find((q) => q.kind === 'confirm')!.message).toBe(
      'event-processing (--storage-queue-name) and data-processing ("storage queue that receives input messages") both use the storage queue "events"; give one of them another name with --storage-queue-name, or answer "storage queue that receives input messages" with another name. Answer those questions again?',
    );
  });

  // A job named like a resource takes its function file: the clash named no option, so it failed after the summary.
  it('asks again the job a clash over a function file names', async () => {
    const jobs = ['items=hourly', 'items-report=hourly'];
    const prompter = scriptedPrompter([
      [/both generate src\/functions\/items\.ts.*Answer those questions again\?/, true],
      [/jobs as name=schedule/, () => jobs.shift()!],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'http-api,scheduled-tasks', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['scheduled-tasks']).toMatchObject({ jobs: 'items-report=hourly' });
  });

  // The plan names an option of a pattern the answers file configures by its key there, even one asked at a prompt.
  it('asks again a clashing question of a pattern the answers file configures', async () => {
    const dataQueues = ['events', 'incoming-data'];
    const prompter = scriptedPrompter([
      [/Answer those questions again\?/, true],
      [/storage queue that receives input messages/, () => dataQueues.shift()!],
      [/./, undefined],
    ]);
    const answersFile = { patterns: { 'event-processing': {}, 'data-processing': { dataInput: 'queue' } }, source: '--answers a.json' };
    const resolved = await resolveAnswers(input({ directory: 'app', location: 'eastus2', answersFile }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['data-processing']).toMatchObject({ inputQueue: 'incoming-data' });
  });

  it('declined, a clash stops the questions at once with its error', async () => {
    const prompter = scriptedPrompter([
      [/Answer its questions again\?/, false],
      [/processing styles/, ['fan-out']],
      [/name of the storage queue/, 'audit'],
      [/./, undefined],
    ]);
    await expect(
      resolveAnswers(input({ directory: 'app', pattern: 'event-processing,scheduled-tasks', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' }),
    ).rejects.toThrow(/^event-processing: "name of the storage queue" "audit" is the name of a fan-out destination of "processing styles" fan-out/);
    expect(prompter.asked.filter((q) => /Scheduled Tasks/.test(q.message))).toEqual([]);
  });

  it('fails before the first question on a clash between given values alone', async () => {
    const prompter = scriptedPrompter([[/./, undefined]]);
    const patternOptions = { 'data-processing': { coolAfterDays: '200', archiveAfterDays: '100' } };
    await expect(resolveAnswers(input({ directory: 'app', patternOptions }), { interactive: true, prompter, cwd: '/work' })).rejects.toThrow(
      'data-processing: --data-archive-after-days (100) must be greater than --data-cool-after-days (200)',
    );
    expect(prompter.asked).toEqual([]);
  });

  it('fails before the patterns’ questions on a clash between patterns that given values alone make', async () => {
    const prompter = scriptedPrompter([[/./, undefined]]);
    const patternOptions = { 'event-processing': { storageQueueName: 'events' }, 'data-processing': { dataInput: 'queue', inputQueue: 'events' } };
    await expect(
      resolveAnswers(input({ directory: 'app', pattern: 'event-processing,data-processing', location: 'eastus2', patternOptions }), { interactive: true, prompter, cwd: '/work' }),
    ).rejects.toThrow(/both use the storage queue "events"/);
    expect(prompter.asked).toEqual([]);
  });

  it('leaves a clash that a question can still settle to the questionnaire', async () => {
    const archiveAfter = ['100', '365'];
    const prompter = scriptedPrompter([
      [/Answer its questions again\?/, true],
      [/archive tier/, () => archiveAfter.shift()!],
      [/./, undefined],
    ]);
    const patternOptions = { 'data-processing': { coolAfterDays: '200' } };
    const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'data-processing', location: 'eastus2', patternOptions }), { interactive: true, prompter, cwd: '/work' });
    expect(resolved.answers.patterns['data-processing']).toMatchObject({ coolAfterDays: '200', archiveAfterDays: '365' });
    // The flag typed is named by the flag, the answer by its question, and only the question is asked again.
    const messages = prompter.asked.map((q) => q.message);
    const again = messages.findIndex((message) => /Answer its questions again\?/.test(message));
    expect(messages[again]).toMatch(/^Data Processing: "days after which archived inputs move to the archive tier" \(100\) must be greater than --data-cool-after-days \(200\)/);
    expect(messages.slice(again + 1).filter((message) => /tier/.test(message))).toEqual([expect.stringMatching(/archive tier/)]);
  });

  // A rule answering the confirmation as if it were its question asks the clash again and again: the script fails fast.
  it('stops a script whose answers bring the same clash back for ever', async () => {
    const prompter = scriptedPrompter([
      [/archive tier/, '100'],
      [/./, undefined],
    ]);
    const patternOptions = { 'data-processing': { coolAfterDays: '200' } };
    await expect(
      resolveAnswers(input({ directory: 'app', pattern: 'data-processing', location: 'eastus2', patternOptions }), { interactive: true, prompter, cwd: '/work' }),
    ).rejects.toThrow(/^more than 500 questions, the last: .*archive tier/);
  });

  it('pre-selects the patterns whose options were given, beside the recommendation', async () => {
    const prompter = scriptedPrompter([
      [/call it over HTTP/, true],
      [/react to events|on a schedule|transform files/, false],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', location: 'eastus2', patternOptions: { 'scheduled-tasks': { jobs: 'nightly=daily' } } }), { interactive: true, prompter, cwd: '/work' });
    expect(prompter.asked.find((q) => q.kind === 'checkbox')!.default).toEqual(['http-api', 'scheduled-tasks']);
    expect(Object.keys(resolved.answers.patterns)).toEqual(['http-api', 'scheduled-tasks']);
  });

  // Found by QA: unticking such a pattern ended the run after the advisor's questions, saying to add it to a
  // --pattern the person never typed; the list refuses it instead, and the person ticks it again or starts over.
  it('keeps a pattern whose options were given from being unticked, saying which flags need it', async () => {
    let verdict: string | true = true;
    const prompter = scriptedPrompter([
      [/call it over HTTP/, true],
      [/react to events|on a schedule|transform files/, false],
      [
        /Patterns to combine/,
        (q) => {
          verdict = (q.validate as (values: readonly string[]) => string | true)(['http-api']);
          return ['http-api', 'scheduled-tasks'];
        },
      ],
      [/./, undefined],
    ]);
    const patternOptions = { 'scheduled-tasks': { jobs: 'nightly=daily', timeZone: 'UTC' } };
    await resolveAnswers(input({ directory: 'app', location: 'eastus2', patternOptions }), { interactive: true, prompter, cwd: '/work' });
    expect(verdict).toBe('--job, --time-zone configure scheduled-tasks: keep it selected');
  });

  it('asks for a project name, suggesting one, when the folder’s name is none', async () => {
    const prompter = scriptedPrompter([[/./, undefined]]);
    const resolved = await resolveAnswers(input({ directory: 'My App', pattern: 'http-api', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(prompter.asked[0]).toMatchObject({ message: 'Project name (the folder\'s name "My App" is not one: lowercase letters, digits and hyphens)', default: 'my-app' });
    expect(resolved).toMatchObject({ directory: 'My App', answers: { name: 'my-app' } });
  });

  it('trims the project name typed at its prompt', async () => {
    let verdict: string | boolean = false;
    const prompter = scriptedPrompter([
      [
        /Project name/,
        (q) => {
          verdict = (q.validate as (value: string) => string | boolean)('  spaced-app  ');
          return '  spaced-app  ';
        },
      ],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ pattern: 'http-api', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(verdict).toBe(true);
    expect(resolved).toMatchObject({ directory: 'spaced-app', answers: { name: 'spaced-app' } });
  });

  it('refuses an empty aggregation key at its prompt, asked only with aggregation, instead of after the last question', async () => {
    const verdicts: (string | true)[] = [];
    const prompter = scriptedPrompter([
      [/processing styles/, ['filtering', 'aggregation']],
      [
        /aggregation groups by/,
        (q) => {
          const validate = q.validate as (value: string) => string | true;
          verdicts.push(validate(''), validate('  '), validate('customer id'));
          return 'customerId';
        },
      ],
      [/./, undefined],
    ]);
    const resolved = await resolveAnswers(input({ directory: 'app', pattern: 'event-processing', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    expect(verdicts[0]).toMatch(/^aggregation needs a key to group by: type a field of the event data, e.g. customerId$/);
    expect(verdicts[1]).toBe(verdicts[0]);
    expect(verdicts[2]).toMatch(/"customer id" is not a field name/);
    expect(resolved.answers.patterns['event-processing']).toMatchObject({ aggregationKey: 'customerId' });
    expect(prompter.asked.filter((q) => q.kind === 'confirm')).toEqual([]);
  });

  it('asks a list as boxes to tick, not in the words of its comma-separated flag', async () => {
    const prompter = scriptedPrompter([[/./, undefined]]);
    await resolveAnswers(input({ directory: 'app', pattern: 'event-processing', location: 'eastus2' }), { interactive: true, prompter, cwd: '/work' });
    const boxes = prompter.asked.filter((q) => q.kind === 'checkbox').map((q) => q.message);
    expect(boxes).toEqual(['Event Processing: event sources', 'Event Processing: processing styles']);
  });

  it('takes the answers file, with flags winning over it', async () => {
    const answersFile = { name: 'from-file', location: 'uksouth', patterns: { 'scheduled-tasks': {} } };
    const resolved = await resolveAnswers(input({ answersFile, location: 'westus3' }), { interactive: false, prompter: scriptedPrompter([]), cwd: '/work' });
    expect(resolved).toMatchObject({ directory: 'from-file', answers: { name: 'from-file', location: 'westus3', patterns: { 'scheduled-tasks': {} } } });
  });

  it('with --yes, an answers file must still name its patterns: no silent default', async () => {
    await expect(resolveAnswers(input({ yes: true, answersFile: { name: 'x' } }), { interactive: false, prompter: scriptedPrompter([]), cwd: '/work' })).rejects.toThrow(
      /missing required values \(--yes cannot default\): --pattern <ids> .*, or "patterns" in the answers file/,
    );
  });
});

describe('loadAnswersFile', () => {
  const dir = scratchDir('answers');
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads JSON and YAML, and a whole manifest', async () => {
    expect(await loadAnswersFile(file('a.json', '{"name":"a","patterns":{"http-api":{}}}'))).toMatchObject({ name: 'a', location: undefined, patterns: { 'http-api': {} } });
    expect(await loadAnswersFile(file('a.yaml', 'name: b\nlocation: uksouth\npatterns: [scheduled-tasks]\n'))).toMatchObject({ name: 'b', location: 'uksouth', patterns: { 'scheduled-tasks': {} } });
    const manifest = { generator: { name: 'create-serverless-app', version: '0.1.0' }, answers: { name: 'c', location: 'eastus2', patterns: { 'http-api': {} } }, files: {} };
    expect(await loadAnswersFile(file('.create-serverless-app.json', JSON.stringify(manifest)))).toMatchObject({ name: 'c' });
    // A pnpm, yarn or bun app's manifest records its package manager too.
    expect(await loadAnswersFile(file('pnpm-app.json', JSON.stringify({ ...manifest, packageManager: 'pnpm' })))).toMatchObject({ name: 'c' });
    // With its digest, and with keys a team added at the top level, which add keeps there.
    const kept = { $comment: 'do not edit', ...manifest, answersSha256: '0'.repeat(64), owner: 'payments' };
    expect(await loadAnswersFile(file('team-app.json', JSON.stringify(kept)))).toMatchObject({ name: 'c', keys: { answers: 'answers' } });
  });

  it('reads a bare map of pattern options, what add takes, and a whole manifest for add too', async () => {
    expect(await loadAnswersFile(file('options.json', '{"scheduled-tasks":{"timeZone":"UTC"}}'))).toMatchObject({ patterns: { 'scheduled-tasks': { timeZone: 'UTC' } } });
    expect(await loadAnswersFile(file('options.yaml', 'data-processing:\n  dataInput: queue\n'))).toMatchObject({ patterns: { 'data-processing': { dataInput: 'queue' } } });
  });

  it('reads YAML from a file whose name says nothing, e.g. a pipe: --answers <(…) or /dev/stdin', async () => {
    expect(await loadAnswersFile(file('answers', 'name: d\npatterns: [http-api]\n'))).toMatchObject({ name: 'd', location: undefined, patterns: { 'http-api': {} } });
    expect(await loadAnswersFile(file('answers.txt', '{"patterns": ["http-api"]}'))).toMatchObject({ patterns: { 'http-api': {} } });
    await expect(loadAnswersFile(file('neither', 'name: [unclosed'))).rejects.toThrow(/is neither valid JSON nor YAML: /);
  });

  // An answers file is a few lines: read whole, /dev/zero or a stream that never ends would hang the run.
  it('refuses a file larger than 1 MiB without reading on, /dev/zero included', async () => {
    await expect(loadAnswersFile(file('huge.json', `{"name":"a"}${' '.repeat(1024 * 1024)}`), 'huge.json')).rejects.toThrow(
      '--answers huge.json: is larger than 1 MiB, which no answers file is',
    );
    await expect(loadAnswersFile('/dev/zero')).rejects.toThrow('--answers /dev/zero: is larger than 1 MiB');
  });

  it('reports a YAML error in one line, without the colon that introduced the excerpt, and the excerpt as details', async () => {
    const error = await loadAnswersFile(file('unclosed.yaml', 'name: a\npatterns:\n  http-api:\n    resources: [orders, customers\n'), 'unclosed.yaml').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    const { message, details } = error as UserError;
    expect(message).toMatch(/^--answers unclosed\.yaml: is not valid YAML: .*at line 5, column 1$/);
    expect(message).not.toContain('\n');
    expect(details).toEqual(['    resources: [orders, customers', '^']);
  });

  // Notepad and other Windows editors save UTF-8 with a byte order mark, which JSON.parse refuses.
  it('reads a file an editor saved with a byte order mark, JSON, YAML or either', async () => {
    const BOM = '\uFEFF';
    expect(await loadAnswersFile(file('bom.json', `${BOM}{"name":"a","patterns":{"http-api":{"auth":"none"}}}`))).toMatchObject({ name: 'a', patterns: { 'http-api': { auth: 'none' } } });
    expect(await loadAnswersFile(file('bom.yaml', `${BOM}name: b\npatterns: [scheduled-tasks]\n`))).toMatchObject({ name: 'b', patterns: { 'scheduled-tasks': {} } });
    expect(await loadAnswersFile(file('bom-answers', `${BOM}{"name":"c","patterns":["data-processing"]}`))).toMatchObject({ name: 'c', patterns: { 'data-processing': {} } });
    const manifest = { generator: { name: 'create-serverless-app', version: '0.1.0' }, answers: { name: 'd', location: 'eastus2', patterns: { 'http-api': {} } }, files: {} };
    expect(await loadAnswersFile(file('bom-manifest.json', `${BOM}${JSON.stringify(manifest, null, 2)}`))).toMatchObject({ name: 'd', keys: { answers: 'answers' } });
  });

  // `http-api:` with nothing after it is YAML's null: the natural way to choose a pattern with its defaults next to
  // one with options, refused as "must be an object of options".
  it('takes a pattern given without options, as YAML writes it, as one with its defaults', async () => {
    expect(await loadAnswersFile(file('bare-key.yaml', 'name: a\npatterns:\n  http-api:\n  scheduled-tasks:\n    timeZone: UTC\n'))).toMatchObject({
      patterns: { 'http-api': {}, 'scheduled-tasks': { timeZone: 'UTC' } },
    });
    expect(await loadAnswersFile(file('bare-key-options.yaml', 'event-processing:\n'))).toMatchObject({ patterns: { 'event-processing': {} } });
  });

  it('matches pattern ids in any case and keys them by the canonical id', async () => {
    expect(await loadAnswersFile(file('upper.json', '{"patterns": {"HTTP-API": {"auth": "none"}}}'))).toMatchObject({ patterns: { 'http-api': { auth: 'none' } } });
    expect(await loadAnswersFile(file('upper-list.yaml', 'patterns: [Scheduled-Tasks, scheduled-tasks]\n'))).toMatchObject({ patterns: { 'scheduled-tasks': {} } });
    expect(await loadAnswersFile(file('upper-bare.json', '{"Data-Processing": {"dataInput": "queue"}}'))).toMatchObject({ patterns: { 'data-processing': { dataInput: 'queue' } } });
  });

  it.each([
    ['twice.json', '{"patterns": {"http-api": {}, "HTTP-API": {"auth": "none"}}}', /"patterns" names http-api twice/],
    ['missing.json', undefined, /file not found/],
    ['broken.json', '{"name": ', /is not valid JSON: /],
    ['broken.yaml', 'name: [unclosed', /is not valid YAML: /],
    // Found by QA: yaml warned of the tag through process.emitWarning (several lines and a --trace-warnings hint
    // on stderr), then the run went on with the bare value.
    ['tag.yaml', 'name: !Ref orders\n', /^--answers \S*tag\.yaml: is not valid YAML: Unresolved tag: !Ref at line 1, column 7$/],
    // Found by QA: yaml's own advice for this, "please use YAML.parseAllDocuments()", is for programmers.
    ['two-documents.yaml', 'name: orders\n---\nlocation: eastus2\n', /: is not valid YAML: it holds several documents \(a --- line starts another\), where answers are one, at line 2, column 1$/],
    // Found by QA: JSON.parse keeps a repeated key's last value without a word, where YAML refuses the file.
    ['duplicate.json', '{"name": "orders",\n "name": "billing"}', /^--answers \S*duplicate\.json: is not valid JSON: "name" appears twice in one object at line 2, column 2$/],
    ['duplicate-option', '{"patterns": {"http-api": {"auth": "none", "auth": "api-key"}}}', /: is not valid JSON: "auth" appears twice in one object at line 1, column 44$/],
    ['latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]), /is not valid UTF-8 text/],
    ['array.json', '[1,2]', /must contain an object/],
    ['unknown.json', '{"name":"x","colour":"red","size":1}', /unknown keys "colour", "size" \(allowed: name, location, patterns\)/],
    ['type.json', '{"name": 42}', /"name" must be a string/],
    ['patterns.json', '{"patterns": "http-api"}', /"patterns" must be an object of pattern id → options, or a list of ids/],
    ['pattern-id.json', '{"patterns": {"graphql": {}}}', /unknown pattern "graphql" in "patterns"; valid patterns: http-api/],
    // Found by QA: a YAML list of options (`- http-api:` with its options under it) read as unknown pattern "[object Object]".
    ['listed-options.yaml', 'patterns:\n  - http-api:\n      auth: none\n', /: "patterns" as a list holds pattern ids only; to give options, make it an object of pattern id → options \(in YAML, "http-api:" under "patterns:" without "- "\)$/],
    ['options.json', '{"patterns": {"http-api": [1]}}', /"patterns.http-api" must be an object of options/],
    ['option.json', '{"patterns": {"http-api": {"authh": "none"}}}', /^--answers \S*option\.json: patterns\.http-api\.authh is not an option of http-api \(options: resources, routePrefix, auth, entraAudience\)$/],
    ['bare-option.json', '{"http-api": {"authh": "none", "x": 1}}', /: http-api\.authh, http-api\.x are not options of http-api \(options: /],
    // Found by QA: a bare map with one misspelt pattern was read as answers, and its right pattern called an unknown key.
    ['bare-unknown-pattern.yaml', 'scheduled-tasks:\n  timeZone: UTC\nsheduled-tasks: {}\n', /^--answers \S*bare-unknown-pattern\.yaml: unknown pattern "sheduled-tasks"; valid patterns: http-api, /],
  ])('%s: a clear error naming the problem', async (name, content, message) => {
    const path = content === undefined ? join(dir, name) : file(name, content);
    await expect(loadAnswersFile(path)).rejects.toThrow(message);
  });
});

// Found by QA: YAML and JSON give options mappings and lists as well as text. Read as text, a mapping was
// `unknown processing style "[object Object]"`, and a one-item list its item (`eventHubName: [orders]` made a hub
// named orders).
describe('an answers file option of the wrong shape', () => {
  const specs = Object.entries(PATTERNS).flatMap(([id, pattern]) => Object.entries(pattern.options).map(([key, spec]) => [`${id}.${key}`, spec] as const));

  it.each(specs)('%s refuses a mapping, saying so', (_, spec) => {
    expect(() => spec.parse({ value: 'x' })).toThrow(ValidationError);
    expect(() => spec.parse({ value: 'x' })).not.toThrow(/object Object/);
  });

  it.each(specs.filter(([, spec]) => !Array.isArray(spec.defaultValue)))('%s refuses a list where it takes one value', (_, spec) => {
    expect(() => spec.parse([spec.defaultValue])).toThrow(ValidationError);
  });

  it.each(specs.filter(([, spec]) => Array.isArray(spec.defaultValue)))('%s refuses a mapping as an item of its list, saying so', (_, spec) => {
    expect(() => spec.parse([{ value: 'x' }])).toThrow(ValidationError);
    expect(() => spec.parse([{ value: 'x' }])).not.toThrow(/object Object/);
  });
});
