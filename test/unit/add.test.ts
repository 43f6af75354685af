import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPatterns, type AddOptions, type AddResult } from '../../src/commands/add.js';
import { createApp } from '../../src/commands/create.js';
import { sha256 } from '../../src/engine/manifest.js';
import type { PackageManager } from '../../src/engine/package-manager.js';
import { UserError } from '../../src/exit-codes.js';
import type { Logger } from '../../src/logger.js';
import { PATTERN_IDS, type PatternId } from '../../src/patterns/types.js';
import type { Prompter } from '../../src/prompts.js';
import { GENERATOR } from '../../src/version.js';
import { bicepMissing, runBicep } from '../support/bicep.js';
import { scratchDir } from '../support/generated-app.js';
import { readOnly } from '../support/read-only.js';
import { useStandInPatterns } from '../support/stand-in-patterns.js';
import { lineNumberOf, moveAppSettingsIntoVariable, OWN_APP_SETTINGS } from '../support/user-edits.js';

const parent = scratchDir('add');
let counter = 0;

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(message),
    warn: (message) => lines.push(message),
    show: (message) => lines.push(message),
    task: async (_label, _work, step) => ({ step, status: 'skipped' }),
  };
}

/** Answers prompts from a script, in order; a question nobody scripted fails the test. */
function scriptedPrompter(script: { select?: string[]; input?: string[]; checkbox?: string[][]; confirm?: boolean[] }): Prompter {
  const next = <T>(queue: T[] | undefined, kind: string): T => {
    if (!queue?.length) throw new Error(`unexpected ${kind} prompt`);
    return queue.shift()!;
  };
  return {
    input: async () => next(script.input, 'input'),
    select: async () => next(script.select, 'select'),
    checkbox: async () => next(script.checkbox, 'checkbox'),
    confirm: async () => next(script.confirm, 'confirm'),
  };
}

function session(cwd: string, prompter: Prompter = scriptedPrompter({}), interactive = false) {
  return { interactive, prompter, logger: memoryLogger(), cwd };
}

async function generate(patterns: readonly PatternId[], packageManager: PackageManager = 'npm'): Promise<string> {
  const directory = `app-${++counter}`;
  await createApp(
    // One project name for every app, so trees generated in different folders compare equal.
    { directory, name: 'orders', pattern: patterns.join(','), patternOptions: {}, yes: true, dryRun: false, git: false, install: false, packageManager },
    session(parent),
  );
  return join(parent, directory);
}

async function add(root: string, patterns: readonly string[], options: Partial<AddOptions> = {}, s = session(root)): Promise<AddResult> {
  return addPatterns({ patterns, patternOptions: {}, yes: true, dryRun: false, install: false, packageManager: 'npm', ...options }, s);
}

/** Every file of a project, by path. */
function tree(root: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .map((path) => [relative(root, path), readFileSync(path, 'utf8')])
      .sort(([a], [b]) => a!.localeCompare(b!)),
  );
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
const edit = (root: string, path: string, change: (text: string) => string) => writeFileSync(join(root, path), change(read(root, path)));
const pairs = PATTERN_IDS.flatMap((first) => PATTERN_IDS.filter((second) => second !== first).map((second) => [first, second] as const));

async function expectUserError(promise: Promise<unknown>, exitCode: number, message: RegExp): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).exitCode).toBe(exitCode);
  expect((error as UserError).message).toMatch(message);
  return error as UserError;
}

// Equivalence runs over the real registry (whatever the patterns are today) and over stand-ins that
// contribute one of everything, so every shared file really changes.
describe.each([
  { registry: 'the real patterns', install: () => () => {} },
  { registry: 'stand-in patterns', install: useStandInPatterns },
])('adding patterns one by one equals generating them at once ($registry)', ({ install }) => {
  let restore: () => void;
  beforeAll(() => {
    restore = install();
  });
  afterAll(() => restore());

  // The lockfile excepted: from the project's creation on it is npm's, which updates it when add installs the
  // new pattern's dependencies; add itself leaves it as it is.
  const generatedFiles = (root: string) => {
    const { 'package-lock.json': _lockfile, ...files } = tree(root);
    return files;
  };

  it.each(pairs)('%s, then %s', async (first, second) => {
    const stepwise = await generate([first]);
    const lockfile = read(stepwise, 'package-lock.json');
    await add(stepwise, [second]);
    expect(generatedFiles(stepwise)).toEqual(generatedFiles(await generate([first, second])));
    expect(read(stepwise, 'package-lock.json')).toBe(lockfile);
  });

  it.each([PATTERN_IDS, [...PATTERN_IDS].reverse()])('all four, one at a time: %s, %s, %s, %s', async (...order) => {
    const stepwise = await generate([order[0]!]);
    for (const id of order.slice(1)) await add(stepwise, [id]);
    expect(generatedFiles(stepwise)).toEqual(generatedFiles(await generate(PATTERN_IDS)));
  });
});

/** The next steps add printed, trimmed: the install it left to the user comes first. */
async function nextStepsOfAdd(root: string, options: Partial<AddOptions>): Promise<string[]> {
  const s = session(root);
  await add(root, ['scheduled-tasks'], options, s);
  const heading = s.logger.lines.findIndex((line) => line.includes('Next steps:'));
  expect(heading).toBeGreaterThan(-1);
  return s.logger.lines.slice(heading + 1).map((line) => line.trim());
}

describe('add to an app made for pnpm, yarn or bun', () => {
  // The README shows the package manager's commands: rendered for npm, the unedited README would read as edited.
  it.each(['pnpm', 'yarn', 'bun'] as const)('%s: renders before and after with it, so the unedited README takes the new pattern whole and keeps its commands', async (pm) => {
    const root = await generate(['http-api'], pm);
    // Run through npx (add's own package manager npm): the recorded one still decides what the files say.
    const result = await add(root, ['scheduled-tasks']);
    expect(result.files).toContainEqual({ path: 'README.md', outcome: 'update' });
    expect(tree(root)).toEqual(tree(await generate(['http-api', 'scheduled-tasks'], pm)));
    const readme = read(root, 'README.md');
    expect(readme).toContain(`\n${pm} install\n`);
    expect(readme).not.toMatch(/\bnpm (install|test|run|start)\b/);
    expect(JSON.parse(read(root, '.create-serverless-app.json')).packageManager).toBe(pm);
    expect(existsSync(join(root, 'package-lock.json'))).toBe(false);
  });

  // Launched by npx, npm would have installed the new dependencies and written a package-lock.json beside pnpm's.
  it.each(['pnpm', 'yarn', 'bun'] as const)('%s: installs with it unless --package-manager says otherwise', async (pm) => {
    const nextSteps = async (packageManager: PackageManager | undefined) => nextStepsOfAdd(await generate(['http-api'], pm), { packageManager });
    expect(await nextSteps(undefined)).toContain(`${pm} install`);
    expect(await nextSteps('npm')).toContain('npm install');
  });
});

// Found by QA: an npm app whose team moved to pnpm (pnpm-lock.yaml committed, package-lock.json gone) got `npm install`
// from add, which left pnpm-lock.yaml behind package.json, and the app's CI, which installs by the lockfile committed,
// refused it (pnpm install --frozen-lockfile).
describe('add to an app whose lockfile is another package manager’s than the one it was made for', () => {
  const switchTo = (root: string, lockfile: string) => {
    rmSync(join(root, 'package-lock.json'), { force: true });
    writeFileSync(join(root, lockfile), '');
  };

  it.each([
    ['pnpm', 'pnpm-lock.yaml'],
    ['yarn', 'yarn.lock'],
    ['bun', 'bun.lock'],
  ] as const)('installs with %s when the app has %s, as its CI does, unless --package-manager says otherwise', async (pm, lockfile) => {
    const root = await generate(['http-api']);
    switchTo(root, lockfile);
    expect(await nextStepsOfAdd(root, { packageManager: undefined })).toContain(`${pm} install`);
    const again = await generate(['http-api']);
    switchTo(again, lockfile);
    expect(await nextStepsOfAdd(again, { packageManager: 'npm' })).toContain('npm install');
  });

  // Found by review: a team that declares its package manager for corepack, and has yet to commit a lockfile, got npm.
  it('installs, without a lockfile, with the package manager package.json declares for corepack; a lockfile still comes first', async () => {
    const declaring = (root: string, value: unknown) => edit(root, 'package.json', (text) => JSON.stringify({ ...JSON.parse(text), packageManager: value }, null, 2));
    const root = await generate(['http-api']);
    rmSync(join(root, 'package-lock.json'));
    declaring(root, 'pnpm@10.26.0');
    expect(await nextStepsOfAdd(root, { packageManager: undefined })).toContain('pnpm install');
    const withLockfile = await generate(['http-api']);
    switchTo(withLockfile, 'yarn.lock');
    declaring(withLockfile, 'pnpm@10.26.0');
    expect(await nextStepsOfAdd(withLockfile, { packageManager: undefined })).toContain('yarn install');
    // A tool add does not know, or no tool at all, leaves the one the app was made for.
    for (const value of ['deno@2.0.0', 42]) {
      const made = await generate(['http-api'], 'bun');
      declaring(made, value);
      expect(await nextStepsOfAdd(made, { packageManager: undefined })).toContain('bun install');
    }
  });

  it('installs with npm in an app made for pnpm that now has package-lock.json', async () => {
    const root = await generate(['http-api'], 'pnpm');
    switchTo(root, 'package-lock.json');
    expect(await nextStepsOfAdd(root, { packageManager: undefined })).toContain('npm install');
  });
});

// Found by QA: csv-parse ^5 in devDependencies and 6.1.0 added to dependencies merged cleanly; npm installed
// the devDependencies version and tsc failed.
describe('add, with a dependency the user has in another section than the new pattern puts it', () => {
  async function projectWithCsvParseForTests(): Promise<string> {
    const root = await generate(['http-api']);
    edit(root, 'package.json', (text) => text.replace('"devDependencies": {', '"devDependencies": {\n    "csv-parse": "^5.0.0",'));
    return root;
  }

  it('is a conflict on that package, which stops a run without a terminal', async () => {
    const root = await projectWithCsvParseForTests();
    const error = await expectUserError(add(root, ['data-processing']), 3, /^1 file you edited would change; nothing was written/);
    expect(error.details).toEqual(['package.json', '  dependencies.csv-parse: you have it in devDependencies (^5.0.0), and the new version adds it to dependencies (6.1.0)']);
  });

  it('keep leaves the user’s entry where it is and does not add the new one; theirs adds the new one and removes the user’s', async () => {
    const generated = JSON.parse(read(await generate(['http-api', 'data-processing']), 'package.json'));
    const { 'csv-parse': pinned, ...otherDependencies } = generated.dependencies;

    const kept = await projectWithCsvParseForTests();
    await add(kept, ['data-processing'], { conflict: 'keep' });
    expect(JSON.parse(read(kept, 'package.json'))).toMatchObject({ dependencies: otherDependencies, devDependencies: { ...generated.devDependencies, 'csv-parse': '^5.0.0' } });
    expect(JSON.parse(read(kept, 'package.json')).dependencies).not.toHaveProperty('csv-parse');

    const taken = await projectWithCsvParseForTests();
    await add(taken, ['data-processing'], { conflict: 'theirs' });
    expect(JSON.parse(read(taken, 'package.json'))).toMatchObject({ dependencies: { ...otherDependencies, 'csv-parse': pinned }, devDependencies: generated.devDependencies });
    expect(JSON.parse(read(taken, 'package.json')).devDependencies).not.toHaveProperty('csv-parse');
  });
});

// Found by QA: the user's setting and the new pattern's of the same name, both added after the last generated
// one, were both kept: a clean merge, and a main.bicep that Bicep refuses (BCP025).
describe('add, with an app setting the user added under the name the new pattern gives one', () => {
  const SERVICE_BUS = { 'event-processing': { eventSources: 'servicebus' } };

  async function projectWithOwnServiceBusSetting(): Promise<string> {
    const root = await generate(['http-api']);
    edit(root, 'infra/main.bicep', (text) =>
      text.replace('      KEY_VAULT_URI: keyVault.outputs.uri\n', "      KEY_VAULT_URI: keyVault.outputs.uri\n      EventsServiceBus__fullyQualifiedNamespace: 'x'\n"),
    );
    return root;
  }

  it('is a conflict on main.bicep, which stops a run without a terminal', async () => {
    const root = await projectWithOwnServiceBusSetting();
    const error = await expectUserError(add(root, ['event-processing'], { patternOptions: SERVICE_BUS }), 3, /^1 file you edited would change; nothing was written/);
    expect(error.details).toEqual(['infra/main.bicep', '  the merged lines set EventsServiceBus__fullyQualifiedNamespace twice in one object, which Bicep refuses']);
  });

  it('keep leaves the user’s main.bicep as it is', async () => {
    const root = await projectWithOwnServiceBusSetting();
    const mainBicep = read(root, 'infra/main.bicep');
    const result = await add(root, ['event-processing'], { patternOptions: SERVICE_BUS, conflict: 'keep' });
    expect(result.files).toContainEqual({ path: 'infra/main.bicep', outcome: 'conflict:keep' });
    expect(read(root, 'infra/main.bicep')).toBe(mainBicep);
  });
});

describe('add, with an answer that clashes with a pattern the app has', () => {
  // The clash failed after every question, naming the present pattern's option too, which add cannot change.
  it('asks again, in a terminal, the question it names of the pattern being added', async () => {
    const root = await generate(['event-processing']);
    const queueNames = ['events', 'orders-in'];
    const confirmed: string[] = [];
    const prompter: Prompter = {
      select: async ({ message, choices, default: preset }) => (/arrive/i.test(message) ? 'queue' : (preset ?? choices[0]!.value)),
      input: async ({ message, default: preset }) => (/queue/i.test(message) ? queueNames.shift()! : (preset ?? '')),
      checkbox: async ({ default: preset }) => [...(preset ?? [])],
      confirm: async ({ message }) => {
        confirmed.push(message);
        return true;
      },
    };
    await add(root, ['data-processing'], { yes: false }, session(root, prompter, true));
    expect(confirmed[0]).toBe(
      'data-processing ("storage queue that receives input messages") would use the storage queue "events", which event-processing already uses in this project; answer "storage queue that receives input messages" with another name. Answer those questions again?',
    );
    expect(JSON.parse(read(root, '.create-serverless-app.json')).answers.patterns['data-processing']).toMatchObject({ dataInput: 'queue', inputQueue: 'orders-in' });
  });
});

// Found by QA: in a terminal, add asked every other question of the pattern and only then said that given values
// were invalid, where create checks them before asking.
describe('add, with invalid values given for the pattern being added', () => {
  it('lists them all before asking anything, in a terminal too', async () => {
    const root = await generate(['event-processing']);
    const patternOptions = { 'data-processing': { dataFormat: 'xml', coolAfterDays: '-5' } };
    const error = await expectUserError(add(root, ['data-processing'], { yes: false, patternOptions }, session(root, scriptedPrompter({}), true)), 2, /^2 given values are invalid:$/);
    expect(error.details).toEqual([expect.stringMatching(/^--data-format: unknown value "xml"/), expect.stringMatching(/^--data-cool-after-days: "-5" is not a whole number/)]);
  });

  // Found by QA: `add nope data-processing --data-format xml` reported the unknown pattern alone, and --data-format
  // only on the next run.
  it('lists an unknown pattern with the invalid values of the known ones', async () => {
    const root = await generate(['event-processing']);
    const patternOptions = { 'data-processing': { dataFormat: 'xml' } };
    const error = await expectUserError(add(root, ['nope', 'data-processing'], { patternOptions }), 2, /^2 given values are invalid:$/);
    expect(error.details).toEqual([expect.stringMatching(/^add: unknown pattern "nope"; valid patterns: http-api/), expect.stringMatching(/^--data-format: unknown value "xml"/)]);
  });

  // Found by QA: an option of the present pattern was refused first, and the invalid values only once it was dropped.
  it('lists the options of other patterns, present or not, with the invalid values, one line each', async () => {
    const root = await generate(['event-processing']);
    const patternOptions = { 'event-processing': { ordering: 'ordered', eventStyles: 'bogus' }, 'http-api': { auth: 'none', routePrefix: 'v1' }, 'data-processing': { dataFormat: 'xml' } };
    const error = await expectUserError(add(root, ['data-processing'], { patternOptions }), 2, /^4 given values are invalid:$/);
    expect(error.details).toEqual([
      expect.stringMatching(/^--ordering: event-processing is already in this project with none; add does not change the options of a present pattern$/),
      expect.stringMatching(/^--event-styles: /),
      '--auth, --route-prefix configure http-api, which is neither in this project nor being added',
      expect.stringMatching(/^--data-format: unknown value "xml"/),
    ]);
  });

  it('without a terminal and without a pattern, lists the missing pattern with the invalid values', async () => {
    const root = await generate(['event-processing']);
    const error = await expectUserError(add(root, [], { yes: false, patternOptions: { 'data-processing': { dataFormat: 'xml' } } }), 2, /^1 given value is invalid and 1 required value is missing \(nothing is asked without a terminal, in a dumb one \(TERM=dumb\), with CI=true or with --json\):$/);
    expect(error.details).toEqual([expect.stringMatching(/^--data-format: unknown value "xml"/), 'missing: add <pattern> (http-api, scheduled-tasks, data-processing)']);
  });
});

describe('add, with the user’s edits (stand-in patterns)', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = useStandInPatterns();
  });
  afterAll(() => restore());

  /** A project with http-api and the kind of edits people make to each shared file. */
  async function editedProject(): Promise<string> {
    const root = await generate(['http-api']);
    edit(root, 'host.json', (text) => text.replace('{\n  "version": "2.0",', '{\n  // Ops: the nightly export needs five minutes.\n  "functionTimeout": "00:05:00",\n  "version": "2.0",'));
    edit(root, 'package.json', (text) =>
      text.replace('"@azure/functions": ', '"date-fns": "4.1.0",\n    "@azure/functions": ').replace('"test": "vitest run",', '"test": "vitest run",\n    "lint": "eslint .",'),
    );
    edit(root, 'local.settings.json', (text) => text.replace('"FUNCTIONS_WORKER_RUNTIME": "node"', '"FUNCTIONS_WORKER_RUNTIME": "node",\n    "PAYMENTS_API_KEY": "dev-key"'));
    edit(root, 'infra/main.bicep', (text) => `${text}\n// Ours: reporting reads from this account.\noutput REPORTING_ACCOUNT string = 'streporting'\n`);
    edit(root, 'README.md', (text) => `${text}\n## On-call\n\nPage payments for /api/payments.\n`);
    edit(root, 'src/functions/httpApi.ts', (text) => text.replace("context.log(", '// Audited by security.\n  context.log('));
    return root;
  }

  it('merges the new pattern into every shared file and keeps every edit', async () => {
    const root = await editedProject();
    const result = await add(root, ['event-processing']);

    expect(Object.fromEntries(result.files.map((file) => [file.path, file.outcome]))).toMatchObject({
      'host.json': 'merge',
      'package.json': 'merge',
      'local.settings.json': 'merge',
      'infra/main.bicep': 'merge',
      'README.md': 'merge',
      'local.settings.example.json': 'update',
      'src/functions/eventProcessing.ts': 'create',
      'infra/modules/event-processing.bicep': 'create',
    });
    expect(result.files.map((file) => file.path)).not.toContain('src/functions/httpApi.ts');

    const host = read(root, 'host.json');
    expect(host).toContain('// Ops: the nightly export needs five minutes.');
    expect(parse(host)).toMatchObject({ functionTimeout: '00:05:00', extensions: { standIn0: { batchSize: 16 }, standIn1: { batchSize: 17 } } });
    const pkg = JSON.parse(read(root, 'package.json'));
    expect(pkg.dependencies).toMatchObject({ 'date-fns': '4.1.0', '@azure/event-hubs': expect.any(String), '@azure/storage-queue': expect.any(String) });
    expect(pkg.scripts.lint).toBe('eslint .');
    expect(pkg.devDependencies.azurite).toBeDefined();
    expect(JSON.parse(read(root, 'local.settings.json')).Values).toMatchObject({ PAYMENTS_API_KEY: 'dev-key', EVENT_PROCESSING_QUEUE: 'event-processing-items' });
    const bicep = read(root, 'infra/main.bicep');
    expect(bicep).toContain("output REPORTING_ACCOUNT string = 'streporting'");
    expect(bicep).toContain("module eventProcessing 'modules/event-processing.bicep'");
    expect(bicep).toContain('EVENT_PROCESSING_QUEUE: eventProcessing.outputs.queueName');
    expect(read(root, 'README.md')).toMatch(/## Event Processing[\s\S]*## On-call/);
    expect(read(root, 'src/functions/httpApi.ts')).toContain('// Audited by security.');
  });

  it.skipIf(bicepMissing)('leaves a main.bicep with the user’s own output that compiles and lints clean', async () => {
    const root = await editedProject();
    await add(root, ['event-processing']);
    for (const command of ['build', 'lint'] as const) {
      const result = runBicep(command, join(root, 'infra/main.bicep'), command === 'build' ? ['--stdout'] : []);
      expect(result.diagnostics).toEqual([]);
      expect(result.status).toBe(0);
    }
    // The real compiler starts slowly, and slower still while other test files run beside it.
  }, 120_000);

  it('records what it generated, so edited files stay "edited" for the next add', async () => {
    const root = await editedProject();
    await add(root, ['event-processing']);
    const manifest = JSON.parse(read(root, '.create-serverless-app.json'));
    const atOnce = JSON.parse(read(await generate(['http-api', 'event-processing']), '.create-serverless-app.json'));
    expect(manifest).toEqual(atOnce);
    expect(manifest.files['host.json']).not.toBe(sha256(read(root, 'host.json')));

    await add(root, ['scheduled-tasks']);
    expect(read(root, 'host.json')).toContain('// Ops: the nightly export needs five minutes.');
    expect(parse(read(root, 'host.json')).extensions).toEqual({ standIn0: { batchSize: 16 }, standIn1: { batchSize: 17 }, standIn2: { batchSize: 18 } });
  });

  it('is idempotent: a present pattern changes nothing, and a mixed request adds only the new one', async () => {
    const root = await editedProject();
    const before = tree(root);
    const s = session(root);
    expect(await add(root, ['http-api'], {}, s)).toMatchObject({ added: [], alreadyPresent: ['http-api'], written: false });
    expect(s.logger.lines).toEqual(['http-api is already in this project.', 'Nothing to change.']);
    expect(tree(root)).toEqual(before);

    expect(await add(root, ['http-api,data-processing'])).toMatchObject({ added: ['data-processing'], alreadyPresent: ['http-api'], written: true });
    const after = tree(root);
    await add(root, ['data-processing']);
    expect(tree(root)).toEqual(after);
  });

  it('takes pattern ids in any case and records the canonical id', async () => {
    const root = await generate(['http-api']);
    expect(await add(root, ['Scheduled-Tasks', 'HTTP-API'])).toMatchObject({ added: ['scheduled-tasks'], alreadyPresent: ['http-api'] });
    const manifest = JSON.parse(readFileSync(join(root, '.create-serverless-app.json'), 'utf8'));
    expect(Object.keys(manifest.answers.patterns)).toEqual(['http-api', 'scheduled-tasks']);
  });

  it('names an unknown pattern as an argument of add, not as a --pattern it does not have', async () => {
    const root = await generate(['http-api']);
    await expectUserError(add(root, ['cron']), 2, /^add: unknown pattern "cron"; valid patterns: http-api, event-processing/);
  });

  it('--dry-run shows the plan and a diff of every changed file, and writes nothing', async () => {
    const root = await editedProject();
    const before = tree(root);
    const s = session(root);
    const result = await add(root, ['event-processing'], { dryRun: true }, s);
    const output = s.logger.lines.join('\n');

    expect(result.written).toBe(false);
    expect(tree(root)).toEqual(before);
    expect(output).toContain('event-processing stand-in notice');
    expect(output).toMatch(/create\s+src\/functions\/eventProcessing\.ts/);
    expect(output).toMatch(/merge\s+host\.json \(your edits kept\)/);
    expect(output).toContain('+++ b/host.json');
    expect(output).toMatch(/^\+ {4}"standIn1": \{$/m);
    expect(output).toContain('Dry run: nothing written.');
  });

  it('never prints the values the user put in local.settings.json, only the settings the new pattern adds', async () => {
    const root = await editedProject();
    edit(root, 'local.settings.json', (text) => text.replace('"UseDevelopmentStorage=true"', '"DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0"'));
    const outputOf = async (patterns: string[], options: Partial<AddOptions>) => {
      const s = session(root);
      const result = await add(root, patterns, options, s);
      return { result, output: s.logger.lines.join('\n') };
    };
    for (const options of [{ dryRun: true }, {}]) {
      const { output } = await outputOf(['event-processing'], options);
      expect(output).toContain('+++ b/local.settings.json');
      expect(output).toContain('"PAYMENTS_API_KEY": "***"');
      expect(output).toContain('"EVENT_PROCESSING_QUEUE": "event-processing-items"');
      expect(output).not.toMatch(/dev-key|c2VjcmV0/);
    }
    // A conflict shows the user's whole file against the new version: their values are hidden there too.
    edit(root, 'local.settings.json', (text) => text.replace('"PAYMENTS_API_KEY"', '"SCHEDULED_TASKS_QUEUE": "mine",\n    "PAYMENTS_API_KEY"'));
    const { result, output } = await outputOf(['scheduled-tasks'], { conflict: 'keep' });
    expect(result.files).toContainEqual({ path: 'local.settings.json', outcome: 'conflict:keep' });
    expect(output).toContain('local.settings.json: yours → what --conflict keep writes');
    expect(output).not.toMatch(/dev-key|c2VjcmV0|"mine"/);
    expect(JSON.parse(read(root, 'local.settings.json')).Values).toMatchObject({ PAYMENTS_API_KEY: 'dev-key', AzureWebJobsStorage: expect.stringContaining('c2VjcmV0') });
  });

  describe('conflicts', () => {
    /** A pin of cron-parser at another major than the scheduled-tasks pattern's: a conflict on that dependency. */
    function pinOlderCronParser(packageJson: string): string {
      return packageJson.replace('"@azure/functions": ', '"cron-parser": "4.0.0",\n    "@azure/functions": ');
    }

    /** The user changed a setting the new pattern sets too, and moved main.bicep's app settings, which it adds to. */

    async function conflictingProject(): Promise<string> {
      const root = await generate(['http-api']);
      edit(root, 'host.json', (text) => text.replace('"standIn0": {', '"standIn1": { "batchSize": 4 }, // tuned by hand\n    "standIn0": {'));
      edit(root, 'infra/main.bicep', moveAppSettingsIntoVariable);
      return root;
    }

    it('stop a run without a terminal with exit 3, the list, and nothing written', async () => {
      const root = await conflictingProject();
      const before = tree(root);
      const error = await expectUserError(add(root, ['event-processing']), 3, /2 files you edited would change; nothing was written.*--conflict keep\|theirs\|new/);
      expect(error.details).toEqual([
        'host.json',
        '  extensions.standIn1.batchSize: you changed it, and the new version changes it too',
        'infra/main.bicep',
        `  line ${lineNumberOf(read(root, 'infra/main.bicep'), OWN_APP_SETTINGS)}: you changed this part, and the new version changes it too`,
      ]);
      expect(tree(root)).toEqual(before);
    });

    // Found by review: add --json, which never asks, was told to "re-run in a terminal", where it still would not ask.
    it('stop a run with --json (or --yes) without a terminal, saying what it takes to be asked', async () => {
      const root = await conflictingProject();
      await expectUserError(add(root, ['event-processing'], { json: true, yes: false }), 3, /nothing was written\. Re-run in a terminal without --json to choose per file, or with --conflict keep\|theirs\|new$/);
      await expectUserError(add(root, ['event-processing'], { json: true }), 3, /nothing was written\. Re-run in a terminal without --json and --yes to choose per file, /);
      await expectUserError(add(root, ['event-processing']), 3, /nothing was written\. Re-run in a terminal without --yes to choose per file, /);
      await expectUserError(add(root, ['event-processing'], { yes: false }), 3, /nothing was written\. Re-run in a terminal to choose per file, /);
    });

    // Found by QA: in a terminal, --yes was told to "re-run in a terminal".
    it('stop a run with --yes in a terminal, saying that without --yes it asks per file', async () => {
      const root = await conflictingProject();
      const before = tree(root);
      await expectUserError(add(root, ['event-processing'], {}, session(root, scriptedPrompter({}), true)), 3, /nothing was written\. Re-run without --yes to choose per file, or with --conflict keep\|theirs\|new$/);
      expect(tree(root)).toEqual(before);
    });

    it('--conflict keep leaves the edited files as they are and applies the rest', async () => {
      const root = await conflictingProject();
      const host = read(root, 'host.json');
      const result = await add(root, ['event-processing'], { conflict: 'keep' });
      expect(result.files).toContainEqual({ path: 'host.json', outcome: 'conflict:keep' });
      expect(read(root, 'host.json')).toBe(host);
      expect(existsSync(join(root, 'src/functions/eventProcessing.ts'))).toBe(true);
    });

    // One conflicting value kept the whole package.json: the new pattern's dependencies were dropped, exit 0,
    // and the next add found the pattern present, so the app stayed broken.
    it('--conflict keep in package.json keeps the user’s pin and still adds the new pattern’s other dependencies', async () => {
      const root = await generate(['http-api']);
      edit(root, 'package.json', (text) =>
        pinOlderCronParser(text)
          .replace(/"description": "[^"]*"/, '"description": "Orders service"')
          .replace('"@azure/functions": ', '"date-fns": "4.1.0",\n    "@azure/functions": ')
          .replace('"test": "vitest run",', '"test": "vitest run",\n    "lint": "eslint .",'),
      );
      const dryRun = session(root);
      await add(root, ['scheduled-tasks'], { conflict: 'keep', dryRun: true }, dryRun);
      expect(dryRun.logger.lines).toContainEqual(
        expect.stringMatching(/with --conflict keep, each file keeps your values or lines where you changed them too and takes the new version's other changes/),
      );
      const s = session(root);
      const result = await add(root, ['scheduled-tasks'], { conflict: 'keep' }, s);

      expect(result.files).toContainEqual({ path: 'package.json', outcome: 'conflict:keep' });
      const generated = JSON.parse(read(await generate(['http-api', 'scheduled-tasks']), 'package.json'));
      expect(JSON.parse(read(root, 'package.json'))).toEqual({
        ...generated,
        description: 'Orders service',
        scripts: { ...generated.scripts, lint: 'eslint .' },
        dependencies: { ...generated.dependencies, 'date-fns': '4.1.0', 'cron-parser': '4.0.0' },
      });
      expect(s.logger.lines).toContain("  kept your value of dependencies.cron-parser in package.json and merged in the new version's other changes");
    });

    // Found by QA: the generator rewrites the description to list the patterns, so every add conflicted for a
    // user who had written their own.
    it('a description the user wrote stays theirs, without a conflict', async () => {
      const root = await generate(['http-api']);
      edit(root, 'package.json', (text) => text.replace(/"description": "[^"]*"/, '"description": "Orders service"'));
      const result = await add(root, ['scheduled-tasks']);
      expect(result.files).toContainEqual({ path: 'package.json', outcome: 'merge' });
      const generated = JSON.parse(read(await generate(['http-api', 'scheduled-tasks']), 'package.json'));
      expect(JSON.parse(read(root, 'package.json'))).toEqual({ ...generated, description: 'Orders service' });
    });

    it('--conflict keep in a JSON file where every change of the new version conflicts changes nothing, and says what it kept', async () => {
      const root = await conflictingProject();
      const host = read(root, 'host.json');
      const s = session(root);
      await add(root, ['event-processing'], { conflict: 'keep' }, s);
      expect(read(root, 'host.json')).toBe(host);
      expect(s.logger.lines).toContain('  kept your value of extensions.standIn1.batchSize in host.json; the new version changes nothing else there');
    });

    // Found by QA: keeping a text file whole left the pattern's modules out of main.bicep, and the next add found
    // the pattern present, so nothing could repair it.
    it('--conflict keep in a text file keeps the user’s lines where both changed them and applies the new version’s other changes', async () => {
      const root = await conflictingProject();
      const s = session(root);
      const line = lineNumberOf(read(root, 'infra/main.bicep'), OWN_APP_SETTINGS);
      await add(root, ['event-processing'], { conflict: 'keep' }, s);
      const generated = read(await generate(['http-api', 'event-processing']), 'infra/main.bicep');
      expect(read(root, 'infra/main.bicep')).toBe(moveAppSettingsIntoVariable(generated));
      expect(s.logger.lines).toContainEqual(expect.stringContaining('infra/main.bicep: yours → what --conflict keep writes'));
      expect(s.logger.lines).toContain(`  kept your lines of infra/main.bicep where both changed them (line ${line}) and merged in the new version's other changes`);
    });

    it('--conflict keep leaves a JSON file saved in another encoding than UTF-8 whole: its text is not what is on disk', async () => {
      const root = await generate(['http-api']);
      const pkg = Buffer.from(read(root, 'package.json').replace(/"description": "[^"]*"/, '"description": "Commandes, café"'), 'latin1');
      writeFileSync(join(root, 'package.json'), pkg);
      const s = session(root);
      await add(root, ['scheduled-tasks'], { conflict: 'keep' }, s);
      expect(readFileSync(join(root, 'package.json'))).toEqual(pkg);
      expect(s.logger.lines).toContain("  kept your package.json; the new version's changes are in the diff above — apply them by hand");
    });

    // Found by QA: the dry run of --conflict keep showed the new version's diff, removing what keep leaves in place.
    it('a dry run with --conflict shows the diff of what that choice writes', async () => {
      const root = await conflictingProject();
      const kept = session(root);
      await add(root, ['event-processing'], { conflict: 'keep', dryRun: true }, kept);
      expect(kept.logger.lines).toContainEqual(expect.stringContaining('infra/main.bicep: yours → what --conflict keep writes'));
      expect(kept.logger.lines.join('\n')).not.toContain(`-${OWN_APP_SETTINGS}\n`);
      const taken = session(root);
      await add(root, ['event-processing'], { conflict: 'theirs', dryRun: true }, taken);
      expect(taken.logger.lines).toContainEqual(expect.stringContaining('infra/main.bicep: yours → what --conflict theirs writes'));
      expect(taken.logger.lines.join('\n')).toContain(`-${OWN_APP_SETTINGS}\n`);
    });

    it('--conflict theirs takes the new version, and says where it replaced the user’s lines', async () => {
      const root = await conflictingProject();
      const s = session(root);
      const line = lineNumberOf(read(root, 'infra/main.bicep'), OWN_APP_SETTINGS);
      await add(root, ['event-processing'], { conflict: 'theirs' }, s);
      expect(read(root, 'infra/main.bicep')).toBe(read(await generate(['http-api', 'event-processing']), 'infra/main.bicep'));
      expect(s.logger.lines).toContain(`  took the new version's lines of infra/main.bicep where both changed them (line ${line}); your other edits stay`);
    });

    // Found by QA: taking the new version of a text file replaced it whole, and every other edit of the user's went.
    it('--conflict theirs in a text file takes the new lines where both changed them and keeps the user’s other edits', async () => {
      const root = await conflictingProject();
      edit(root, 'infra/main.bicep', (text) => text.replace("targetScope = 'subscription'", "targetScope = 'subscription'\n\n// Reviewed by the platform team."));
      await add(root, ['event-processing'], { conflict: 'theirs' });
      const generated = read(await generate(['http-api', 'event-processing']), 'infra/main.bicep');
      expect(read(root, 'infra/main.bicep')).toBe(generated.replace("targetScope = 'subscription'", "targetScope = 'subscription'\n\n// Reviewed by the platform team."));
    });

    // Taking the new version replaced the whole file: in local.settings.json, the user's keys and connection
    // strings went with the one setting in conflict.
    it('--conflict theirs in a JSON file takes the new values where both changed, and keeps the user’s other edits', async () => {
      const root = await conflictingProject();
      edit(root, 'local.settings.json', (text) => text.replace('"UseDevelopmentStorage=true"', '"DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0"'));
      edit(root, 'local.settings.json', (text) => text.replace('"FUNCTIONS_WORKER_RUNTIME"', '"SCHEDULED_TASKS_QUEUE": "mine",\n    "PAYMENTS_API_KEY": "dev-key",\n    "FUNCTIONS_WORKER_RUNTIME"'));
      const dryRun = session(root);
      await add(root, ['event-processing', 'scheduled-tasks'], { conflict: 'theirs', dryRun: true }, dryRun);
      expect(dryRun.logger.lines).toContainEqual(expect.stringMatching(/with --conflict theirs, each file takes the new version's values or lines where you changed them too and keeps your other edits/));
      const s = session(root);
      const result = await add(root, ['event-processing', 'scheduled-tasks'], { conflict: 'theirs' }, s);

      const generated = await generate(['http-api', 'event-processing', 'scheduled-tasks']);
      expect(result.files).toContainEqual({ path: 'local.settings.json', outcome: 'conflict:theirs' });
      const settings = JSON.parse(read(root, 'local.settings.json')).Values;
      expect(settings).toMatchObject({ PAYMENTS_API_KEY: 'dev-key', AzureWebJobsStorage: expect.stringContaining('c2VjcmV0') });
      expect(settings.SCHEDULED_TASKS_QUEUE).toBe(JSON.parse(read(generated, 'local.settings.json')).Values.SCHEDULED_TASKS_QUEUE);
      const host = read(root, 'host.json');
      expect(host).toContain('// tuned by hand');
      expect(parse(host).extensions.standIn1).toEqual(parse(read(generated, 'host.json')).extensions.standIn1);
      // The diff shown is what gets written, the user's values hidden.
      expect(s.logger.lines.join('\n')).not.toMatch(/dev-key|c2VjcmV0|"mine"/);
    });

    it('--conflict new writes the new version beside the edited file, which takes the changes that do not conflict', async () => {
      const root = await conflictingProject();
      const s = session(root);
      await add(root, ['event-processing'], { conflict: 'new' }, s);
      const generated = read(await generate(['http-api', 'event-processing']), 'infra/main.bicep');
      expect(read(root, 'infra/main.bicep')).toBe(moveAppSettingsIntoVariable(generated));
      expect(read(root, 'infra/main.bicep.new')).toBe(generated);
      expect(s.logger.lines).toContain("  wrote infra/main.bicep.new next to infra/main.bicep, which took the new version's other changes: settle where both changed it by hand, then delete infra/main.bicep.new");
    });

    // Found by QA: the pipeline recipe of add --help left package.json whole, so the new pattern's dependencies
    // never arrived and the app did not compile.
    it('--conflict new in package.json still adds the new pattern’s dependencies', async () => {
      const root = await generate(['http-api']);
      edit(root, 'package.json', pinOlderCronParser);
      await add(root, ['scheduled-tasks'], { conflict: 'new' });
      const generated = JSON.parse(read(await generate(['http-api', 'scheduled-tasks']), 'package.json'));
      expect(JSON.parse(read(root, 'package.json'))).toEqual({ ...generated, dependencies: { ...generated.dependencies, 'cron-parser': '4.0.0' } });
      expect(JSON.parse(read(root, 'package.json.new'))).toEqual(generated);
    });

    it('--conflict new does not overwrite a <file>.new the user edited: exit 3, nothing written', async () => {
      const root = await conflictingProject();
      await add(root, ['event-processing'], { conflict: 'new' });
      edit(root, 'infra/main.bicep.new', (text) => `${text}// half merged by hand\n`);
      const before = tree(root);
      await expectUserError(add(root, ['scheduled-tasks'], { conflict: 'new' }), 3, /^infra\/main\.bicep\.new is already there, with your edits; .*Nothing was written$/);
      expect(tree(root)).toEqual(before);
    });

    // Found by QA: the dry run exited 0 where the run exits 3.
    it('a dry run without a terminal and without --conflict shows the plan, then stops as the run would: exit 3, the same message', async () => {
      const root = await conflictingProject();
      const before = tree(root);
      const s = session(root);
      const dryRun = await expectUserError(add(root, ['event-processing'], { dryRun: true }, s), 3, /^2 files you edited would change; nothing was written/);
      const run = await expectUserError(add(root, ['event-processing']), 3, /^2 files you edited would change; nothing was written/);
      expect(dryRun.message).toBe(run.message);
      expect(dryRun.details).toEqual(run.details);
      expect(s.logger.lines).toContainEqual(expect.stringContaining('infra/main.bicep: yours → the new version (conflict)'));
      expect(s.logger.lines.join('\n')).not.toContain('choose for each when asked');
      expect(tree(root)).toEqual(before);
    });

    it('a dry run with --conflict says how the run settles the conflicts, and reports the outcomes the run has', async () => {
      for (const conflict of ['keep', 'theirs', 'new'] as const) {
        const root = await conflictingProject();
        const s = session(root);
        const dryRun = await add(root, ['event-processing'], { conflict, dryRun: true }, s);
        expect(s.logger.lines).toContainEqual(expect.stringMatching(new RegExp(`^2 files you edited are changed by the new version too: with --conflict ${conflict}, `)));
        expect(s.logger.lines.join('\n')).not.toContain('choose for each when asked');
        expect(dryRun.files).toEqual((await add(root, ['event-processing'], { conflict })).files);
      }
    });

    // Found by review: a file the user deleted was counted among the files they edited, where its own line said "you deleted it".
    it('count the files the user deleted apart from those they edited, in the refusal and in the advice', async () => {
      const root = await conflictingProject();
      rmSync(join(root, 'README.md'));
      await expectUserError(add(root, ['event-processing']), 3, /^2 files you edited and 1 you deleted would change; nothing was written/);
      const s = session(root);
      await add(root, ['event-processing'], { conflict: 'keep', dryRun: true }, s);
      expect(s.logger.lines).toContainEqual(expect.stringMatching(/^2 files you edited and 1 you deleted are changed by the new version too: with --conflict keep, /));
    });

    it('a dry run stops where the run would: a <file>.new the user edited, a link out of the project', async () => {
      const root = await conflictingProject();
      await add(root, ['event-processing'], { conflict: 'new' });
      edit(root, 'infra/main.bicep.new', (text) => `${text}// half merged by hand\n`);
      await expectUserError(add(root, ['scheduled-tasks'], { conflict: 'new', dryRun: true }), 3, /^infra\/main\.bicep\.new is already there, with your edits; /);

      const elsewhere = scratchDir('elsewhere');
      renameSync(join(root, 'local.settings.json'), join(elsewhere, 'local.settings.json'));
      symlinkSync(join(elsewhere, 'local.settings.json'), join(root, 'local.settings.json'));
      await expectUserError(add(root, ['data-processing'], { conflict: 'keep', dryRun: true }), 3, /^local\.settings\.json would be written to .*, outside the project/);
    });

    it('a dry run fails as the run would where a folder cannot be written: exit 4, the same message, nothing written', async (context) => {
      const root = await generate(['http-api']);
      const before = tree(root);
      const unlock = readOnly(join(root, 'src/functions'));
      if (!unlock) return context.skip();
      try {
        const refusal = /^cannot write .*src\/functions\/\w+\.ts: permission denied; nothing was written$/;
        const dryRun = await expectUserError(add(root, ['event-processing'], { dryRun: true }), 4, refusal);
        const run = await expectUserError(add(root, ['event-processing']), 4, refusal);
        expect(dryRun.message).toBe(run.message);
      } finally {
        unlock();
      }
      expect(tree(root)).toEqual(before);
    });

    it('--conflict new replaces a <file>.new an earlier add wrote and nobody edited', async () => {
      const root = await conflictingProject();
      await add(root, ['event-processing'], { conflict: 'new' });
      await add(root, ['scheduled-tasks'], { conflict: 'new' });
      expect(read(root, 'infra/main.bicep.new')).toBe(read(await generate(['http-api', 'event-processing', 'scheduled-tasks']), 'infra/main.bicep'));
    });

    it('interactive users choose per file, then confirm', async () => {
      const root = await conflictingProject();
      const host = read(root, 'host.json');
      const scripted = scriptedPrompter({ input: ['hi there'], select: ['keep', 'new'], confirm: [true] });
      const offered: string[] = [];
      const prompter: Prompter = { ...scripted, select: (question) => (offered.push(question.choices.map((choice) => choice.name).join(' | ')), scripted.select(question)) };
      await add(root, ['event-processing'], { yes: false }, session(root, prompter, true));
      // Either side settles only the parts both changed: values in JSON, lines in any other file.
      expect(offered).toEqual([
        `keep my values where we both changed them (the new version's other changes are applied) | take the new version's values where we both changed them (my other edits stay) | write the new version side by side as host.json.new (the other changes are applied)`,
        `keep my lines where we both changed them (the new version's other changes are applied) | take the new version's lines where we both changed them (my other edits stay) | write the new version side by side as infra/main.bicep.new (the other changes are applied)`,
      ]);
      expect(read(root, 'host.json')).toBe(host);
      expect(existsSync(join(root, 'infra/main.bicep.new'))).toBe(true);
      expect(read(root, 'src/functions/eventProcessing.ts')).toContain('context.log("hi there", message)');
    });

    it('an interactive keep in a JSON file writes what --conflict keep writes', async () => {
      const projects = await Promise.all([generate(['http-api']), generate(['http-api'])]);
      for (const root of projects) edit(root, 'package.json', pinOlderCronParser);
      const [asked, given] = projects as [string, string];
      await add(asked, ['scheduled-tasks'], { yes: false }, session(asked, scriptedPrompter({ input: ['hi there'], select: ['keep'], confirm: [true] }), true));
      await add(given, ['scheduled-tasks'], { conflict: 'keep', patternOptions: { 'scheduled-tasks': { greeting: 'hi there' } } });
      expect(JSON.parse(read(asked, 'package.json')).dependencies['cron-parser']).toBe('4.0.0');
      expect(tree(asked)).toEqual(tree(given));
    });

    it('an interactive user who declines writes nothing, and exits 130 like Ctrl-C', async () => {
      const root = await generate(['http-api']);
      const before = tree(root);
      const prompter = scriptedPrompter({ input: ['hi'], confirm: [false] });
      await expectUserError(add(root, ['event-processing'], { yes: false }, session(root, prompter, true)), 130, /^cancelled; nothing was written$/);
      expect(tree(root)).toEqual(before);
    });

    it('a folder or a file of the user in the way of the new pattern stops it with exit 3, nothing written', async () => {
      const root = await generate(['http-api']);
      const manifest = read(root, '.create-serverless-app.json');
      mkdirSync(join(root, 'infra/modules/event-processing.bicep'));
      await expectUserError(add(root, ['event-processing']), 3, /^infra\/modules\/event-processing.bicep is a folder, where the patterns write a file; .*Nothing was written$/);
      rmSync(join(root, 'infra/modules/event-processing.bicep'), { recursive: true });
      rmSync(join(root, 'src/functions'), { recursive: true });
      writeFileSync(join(root, 'src/functions'), 'my notes');
      await expectUserError(add(root, ['event-processing']), 3, /^a file is where the patterns need the folder of src\/functions\/\w+\.ts; .*Nothing was written$/);
      expect(readFileSync(join(root, 'src/functions'), 'utf8')).toBe('my notes');
      expect(existsSync(join(root, 'infra/modules/event-processing.bicep'))).toBe(false);
      expect(read(root, '.create-serverless-app.json')).toBe(manifest);
    });

    it('a symbolic link to outside the project, as a file or a folder the new pattern writes into, stops it with exit 3, nothing written', async () => {
      const root = await generate(['http-api']);
      const elsewhere = scratchDir('elsewhere');
      writeFileSync(join(elsewhere, 'local.settings.json'), read(root, 'local.settings.json'));
      rmSync(join(root, 'local.settings.json'));
      symlinkSync(join(elsewhere, 'local.settings.json'), join(root, 'local.settings.json'));
      const before = { project: tree(root), elsewhere: tree(elsewhere) };
      await expectUserError(add(root, ['event-processing']), 3, /^local\.settings\.json would be written to .*elsewhere.*, outside the project \(through a symbolic link\); .*Nothing was written$/);
      expect({ project: tree(root), elsewhere: tree(elsewhere) }).toEqual(before);

      rmSync(join(root, 'local.settings.json'));
      writeFileSync(join(root, 'local.settings.json'), read(elsewhere, 'local.settings.json'));
      renameSync(join(root, 'src/functions'), join(elsewhere, 'functions'));
      symlinkSync(join(elsewhere, 'functions'), join(root, 'src/functions'));
      await expectUserError(add(root, ['event-processing']), 3, /^src\/functions\/eventProcessing\.ts would be written to .*elsewhere.*, outside the project \(through a symbolic link\); .*Nothing was written$/);
      expect(existsSync(join(elsewhere, 'functions/eventProcessing.ts'))).toBe(false);
    });

    it('a symbolic link to a missing file where the new pattern writes one is in the way: exit 3, not a file system error', async () => {
      const root = await generate(['http-api']);
      symlinkSync(join(root, 'gone.ts'), join(root, 'src/functions/eventProcessing.ts'));
      await expectUserError(add(root, ['event-processing']), 3, /^src\/functions\/eventProcessing\.ts is a symbolic link to a missing file; .*Nothing was written$/);
      expect(existsSync(join(root, 'gone.ts'))).toBe(false);
    });

    it('a file that cannot be read (here a link to itself; or one without read permission) stops it with exit 4 naming the file, not as an unexpected error', async () => {
      const root = await generate(['http-api']);
      rmSync(join(root, 'host.json'));
      symlinkSync('host.json', join(root, 'host.json'));
      const before = tree(root);
      await expectUserError(add(root, ['event-processing']), 4, new RegExp(`^cannot read ${join(root, 'host.json').replace(/[.\\/]/g, '\\$&')}: too many symbolic links`));
      expect(tree(root)).toEqual(before);
    });

    it('a file the user saved in another encoding than UTF-8 is a conflict, not merged into replacement characters', async () => {
      const root = await generate(['http-api']);
      const readme = Buffer.concat([readFileSync(join(root, 'README.md')), Buffer.from('\n## Équipe\n\nCafé ouvert à 8h.\n', 'latin1')]);
      writeFileSync(join(root, 'README.md'), readme);
      const error = await expectUserError(add(root, ['event-processing']), 3, /1 file you edited would change/);
      expect(error.details).toEqual(['README.md', '  your version is not UTF-8 text (saved in another encoding?), so it cannot be merged']);
      await add(root, ['event-processing'], { conflict: 'keep' });
      expect(readFileSync(join(root, 'README.md'))).toEqual(readme);
    });

    it('a file of the user where the new pattern writes one is a conflict too', async () => {
      const root = await generate(['http-api']);
      writeFileSync(join(root, 'src/functions/eventProcessing.ts'), 'export const mine = 1;\n');
      await expectUserError(add(root, ['event-processing']), 3, /^1 file that create-serverless-app did not generate is in the way; nothing was written/);
      const s = session(root, scriptedPrompter({ input: ['hello'] }), true);
      await add(root, ['event-processing'], { yes: false, dryRun: true }, s);
      expect(s.logger.lines).toContain('1 file that create-serverless-app did not generate is in the way: choose for each when asked, or pass --conflict keep|theirs|new.');
    });

    it('counts files the user edited and files of theirs in the way apart', async () => {
      const root = await conflictingProject();
      writeFileSync(join(root, 'src/functions/eventProcessing.ts'), 'export const mine = 1;\n');
      await expectUserError(add(root, ['event-processing']), 3, /^2 files you edited would change and 1 file that create-serverless-app did not generate is in the way; nothing was written/);
    });
  });

  it('takes options from flags, an answers file and prompts, through the same parser', async () => {
    const root = await generate(['http-api']);
    writeFileSync(join(root, 'answers.json'), JSON.stringify({ 'scheduled-tasks': { greeting: 'from the file' }, 'data-processing': { greeting: 'file loses' } }));
    const prompter = scriptedPrompter({ input: ['from the prompt'], confirm: [true] });
    await add(
      root,
      ['event-processing', 'scheduled-tasks', 'data-processing'],
      { yes: false, answersFile: 'answers.json', patternOptions: { 'data-processing': { greeting: 'from the flag' } } },
      session(root, prompter, true),
    );
    expect(JSON.parse(read(root, '.create-serverless-app.json')).answers.patterns).toEqual({
      'http-api': { greeting: 'hello from http-api' },
      'event-processing': { greeting: 'from the prompt' },
      'scheduled-tasks': { greeting: 'from the file' },
      'data-processing': { greeting: 'from the flag' },
    });
  });

  it("says so when the answers file names another project or location, which add does not apply: the project's stay", async () => {
    const root = await generate(['http-api']);
    writeFileSync(join(root, 'answers.yaml'), 'name: billing\nlocation: westeurope\npatterns:\n  event-processing: {}\n');
    const s = session(root);
    await add(root, [], { answersFile: 'answers.yaml' }, s);
    expect(JSON.parse(read(root, '.create-serverless-app.json')).answers).toMatchObject({ name: 'orders', location: 'eastus2' });
    expect(s.logger.lines).toContain("⚠ --answers answers.yaml: its name and location (billing, westeurope) are not applied: add keeps the project's (orders, eastus2)");

    writeFileSync(join(root, 'answers.yaml'), 'name: orders\npatterns:\n  scheduled-tasks: {}\n');
    const same = session(root);
    await add(root, [], { answersFile: 'answers.yaml' }, same);
    expect(same.logger.lines.join('\n')).not.toContain('not applied');
  });

  it('refuses answers-file options for a pattern neither present nor being added, as it does flags; a whole manifest lists every pattern of its app, so is no such request', async () => {
    const root = await generate(['http-api']);
    writeFileSync(join(root, 'answers.json'), JSON.stringify({ patterns: { 'event-processing': { greeting: 'from the file' }, 'data-processing': { greeting: 'x' } } }));
    const before = tree(root);
    await expectUserError(
      add(root, ['event-processing'], { answersFile: 'answers.json' }),
      2,
      /^--answers answers\.json: patterns\.data-processing: options for a pattern that is neither in this project nor being added$/,
    );
    expect(tree(root)).toEqual(before);
    // Found by QA: "scheduled-tasks configures scheduled-tasks, which is neither …", where the key is the pattern id.
    writeFileSync(join(root, 'answers.json'), JSON.stringify({ 'scheduled-tasks': { greeting: 'x' } }));
    await expectUserError(
      add(root, ['event-processing'], { answersFile: 'answers.json' }),
      2,
      /^--answers answers\.json: scheduled-tasks: options for a pattern that is neither in this project nor being added$/,
    );
    const other = JSON.parse(read(await generate(['http-api', 'data-processing']), '.create-serverless-app.json'));
    writeFileSync(join(root, 'answers.json'), JSON.stringify({ ...other, answers: { ...other.answers, patterns: { ...other.answers.patterns, 'event-processing': { greeting: 'from the manifest' } } } }));
    await add(root, ['event-processing'], { answersFile: 'answers.json' });
    expect(JSON.parse(read(root, '.create-serverless-app.json')).answers.patterns).toEqual({ 'http-api': { greeting: 'hello from http-api' }, 'event-processing': { greeting: 'from the manifest' } });
  });

  // Found by QA: `add --answers f` asked "which pattern?" although f named it.
  it('adds the patterns an answers file configures when no pattern is named, and only those not yet present', async () => {
    const root = await generate(['http-api']);
    writeFileSync(join(root, 'answers.json'), JSON.stringify({ patterns: { 'http-api': { greeting: 'hello from http-api' }, 'scheduled-tasks': { greeting: 'from the file' } } }));
    const result = await add(root, [], { answersFile: 'answers.json' });
    expect(result).toMatchObject({ added: ['scheduled-tasks'], alreadyPresent: ['http-api'] });
    expect(JSON.parse(read(root, '.create-serverless-app.json')).answers.patterns['scheduled-tasks']).toEqual({ greeting: 'from the file' });
  });

  it('names an answers-file value that fails its parser or a cross-option rule by its key in the file', async () => {
    const root = await generate(['http-api']);
    writeFileSync(join(root, 'answers.json'), JSON.stringify({ 'event-processing': { greeting: ' ' } }));
    await expectUserError(add(root, ['event-processing'], { answersFile: 'answers.json' }), 2, /^--answers answers\.json: event-processing\.greeting: give a non-empty text$/);
  });

  // Found by QA: options of a present pattern in an answers file were ignored ("Nothing to change", exit 0), where
  // the same as a flag fails.
  it("refuses an answers file's options for a present pattern that differ from the recorded ones, naming the file and key, as it refuses flags", async () => {
    const root = await generate(['http-api']);
    const addWithFile = (patterns: string[], httpApi: Record<string, unknown>) => {
      writeFileSync(join(root, 'answers.json'), JSON.stringify({ 'http-api': httpApi }));
      return add(root, patterns, { answersFile: 'answers.json', dryRun: true });
    };
    await addWithFile(['event-processing'], { greeting: 'hello from http-api' });
    const changed = /^--answers answers\.json: http-api\.greeting: http-api is already in this project with hello from http-api; add does not change the options of a present pattern$/;
    for (const patterns of [['event-processing'], []]) await expectUserError(addWithFile(patterns, { greeting: 'changed' }), 2, changed);
    await expectUserError(addWithFile([], { greeting: ' ' }), 2, /^--answers answers\.json: http-api\.greeting: give a non-empty text$/);
  });

  it("only warns about a whole manifest's options for a present pattern: it is the record of another app", async () => {
    const root = await generate(['http-api']);
    const other = JSON.parse(read(await generate(['http-api', 'event-processing']), '.create-serverless-app.json'));
    other.answers.patterns['http-api'] = { greeting: 'changed' };
    writeFileSync(join(root, 'answers.json'), JSON.stringify(other));
    const s = session(root);
    await add(root, ['event-processing'], { answersFile: 'answers.json', dryRun: true }, s);
    expect(s.logger.lines.filter((line) => line.includes('not applied'))).toEqual([
      expect.stringContaining('answers.json: http-api is already in this project; its options there are not applied (add does not change a present pattern)'),
    ]);
  });

  it('rejects an invalid option, and options of a present pattern that differ from the recorded ones', async () => {
    const root = await generate(['http-api']);
    await expectUserError(add(root, ['event-processing'], { patternOptions: { 'event-processing': { greeting: ' ' } } }), 2, /^--event-processing-greeting: give a non-empty text$/);
    await expectUserError(add(root, ['event-processing'], { patternOptions: { 'http-api': { greeting: 'changed' } } }), 2, /http-api is already in this project with hello from http-api/);
    await expectUserError(add(root, ['event-processing'], { patternOptions: { 'data-processing': { greeting: 'x' } } }), 2, /configures data-processing, which is neither/);
  });

  it('leaves a generated file the user deleted deleted', async () => {
    const root = await generate(['http-api']);
    rmSync(join(root, 'test/health.test.ts'));
    await add(root, ['event-processing']);
    expect(existsSync(join(root, 'test/health.test.ts'))).toBe(false);
  });

  it('asks before writing again a generated file the user deleted that the new pattern changes', async () => {
    const root = await generate(['http-api']);
    rmSync(join(root, 'README.md'));
    const before = tree(root);
    const error = await expectUserError(add(root, ['event-processing']), 3, /^1 file you deleted would change; nothing was written/);
    expect(error.details).toEqual(['README.md', '  you deleted it, and the new version changes it']);
    expect(tree(root)).toEqual(before);

    const s = session(root);
    expect((await add(root, ['event-processing'], { conflict: 'keep' }, s)).files).toContainEqual({ path: 'README.md', outcome: 'conflict:keep' });
    expect(existsSync(join(root, 'README.md'))).toBe(false);
    expect(s.logger.lines).toContain('  left README.md deleted, as you had it');

    // "next to README.md" would point at a file that is not there.
    const beside = session(root);
    await add(root, ['data-processing'], { conflict: 'new' }, beside);
    expect(existsSync(join(root, 'README.md'))).toBe(false);
    expect(read(root, 'README.md.new')).toBe(read(await generate(['http-api', 'event-processing', 'data-processing']), 'README.md'));
    expect(beside.logger.lines).toContain('  wrote README.md.new, the new version of README.md, which you deleted: rename it to README.md to take it, or delete it');
    rmSync(join(root, 'README.md.new'));

    await add(root, ['scheduled-tasks'], { conflict: 'theirs' });
    expect(read(root, 'README.md')).toBe(read(await generate(['http-api', 'event-processing', 'data-processing', 'scheduled-tasks']), 'README.md'));
  });

  // Found by QA: in a teammate's clone, add stopped on a conflict over a file git never gave them.
  it('creates local.settings.json where there is none: git ignores it, so a fresh clone lacks it without anyone deleting it', async () => {
    const root = await generate(['http-api']);
    rmSync(join(root, 'local.settings.json'));
    const s = session(root);
    expect((await add(root, ['event-processing'], {}, s)).files).toContainEqual({ path: 'local.settings.json', outcome: 'create' });
    expect(read(root, 'local.settings.json')).toBe(read(await generate(['http-api', 'event-processing']), 'local.settings.json'));
    expect(s.logger.lines.join('\n')).toContain('local.settings.json (git ignores it: this clone had none)');
  });

  /** The project as the first commit of a new repository. */
  const committed = (root: string) => {
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, stdio: 'ignore' });
    git('init', '--quiet');
    git('add', '--all');
    git('commit', '--quiet', '--no-verify', '-m', 'generated');
    return root;
  };

  it('warns when git has uncommitted changes in the project, which would mix with what add writes', async () => {
    const root = committed(await generate(['http-api']));
    const warnings = async (options: Partial<AddOptions>) => {
      const s = session(root);
      await add(root, ['event-processing'], options, s);
      return s.logger.lines.filter((line) => line.includes('uncommitted'));
    };
    expect(await warnings({ dryRun: true })).toEqual([]);
    edit(root, 'README.md', (text) => `${text}\nwork in progress\n`);
    writeFileSync(join(root, 'notes.md'), 'draft\n');
    expect(await warnings({})).toEqual([
      expect.stringContaining('2 uncommitted changes in this project: commit or stash them first, so that git diff shows only what add changes'),
    ]);
  });

  // Found by QA: git status refreshes the index and writes it when files' times changed, so a dry run wrote .git/index.
  it('a dry run leaves git\'s index as it was', async () => {
    const root = committed(await generate(['http-api']));
    // A checkout or an editor's save gives a file a new time: the index's record of it is then stale.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'README.md'), later, later);
    const index = readFileSync(join(root, '.git/index'));
    await add(root, ['event-processing'], { dryRun: true }, session(root));
    expect(readFileSync(join(root, '.git/index')).equals(index)).toBe(true);
  });

  it('works from a folder inside the project', async () => {
    const root = await generate(['http-api']);
    const result = await add(root, ['event-processing'], {}, session(join(root, 'src/functions')));
    expect(result).toMatchObject({ root, added: ['event-processing'], written: true });
  });
});

// Found by review: add --json whose install failed printed only the error: nothing said the patterns were written.
describe('add, when the install after writing fails or is interrupted', () => {
  it.each([
    ['failed', 5, /^the patterns were added, but installing dependencies failed/],
    ['interrupted', 130, /^interrupted: the patterns were added, but installing dependencies did not finish/],
  ] as const)('%s: the error carries what was written, as the --json result would (exit %i)', async (status, exitCode, message) => {
    const root = await generate(['http-api']);
    const s = session(root);
    s.logger.task = async (_label, _work, step) => ({ step, status, detail: 'npm exited with 1' });
    const error = await expectUserError(add(root, ['event-processing'], { install: true }, s), exitCode, message);
    expect(error.details).toEqual(['install: npm exited with 1']);
    expect(error.partialResult).toEqual({
      directory: root,
      dryRun: false,
      added: ['event-processing'],
      alreadyPresent: [],
      files: expect.arrayContaining([{ path: 'package.json', outcome: 'update' }]),
      written: true,
      nextSteps: expect.arrayContaining(['npm install']),
    });
  });
});

describe('add outside a generated project', () => {
  it('says what it looked for', async () => {
    const dir = scratchDir('not-a-project');
    const error = await expectUserError(add(dir, ['http-api']), 2, /^not inside a create-serverless-app project$/);
    expect(error.details[0]).toBe(`looked for .create-serverless-app.json in ${dir} and every folder above it.`);
  });

  // Found by QA: a --dir that does not exist was reported as "not inside a create-serverless-app project".
  it('says that a --dir that does not exist does not, and refuses a --dir that is a file', async () => {
    const root = await generate(['http-api']);
    const before = tree(root);
    await expectUserError(add(root, ['event-processing'], { dir: 'nowhere' }), 2, /^--dir nowhere: the folder does not exist$/);
    await expectUserError(add(root, ['event-processing'], { dir: 'package.json' }), 2, /^--dir package\.json: not a folder \(give the project folder, or a folder inside it\)$/);
    expect(tree(root)).toEqual(before);
    expect(await add(join(root, 'src'), ['event-processing'], { dir: '..' })).toMatchObject({ root, written: true });
  });

  // Found by review: `add --dir "$APP"` with APP unset added to the project around the working directory.
  it('refuses an empty --dir, an unset shell variable, instead of taking the working directory', async () => {
    const root = await generate(['http-api']);
    const before = tree(root);
    for (const dir of ['', ' ']) {
      const error = await expectUserError(add(root, ['event-processing'], { dir }), 2, /: an empty path \(an unset shell variable\?\); give the project folder \(\. for the current one\)$/);
      expect(error.message).toBe(`--dir ${JSON.stringify(dir)}: an empty path (an unset shell variable?); give the project folder (. for the current one)`);
    }
    expect(tree(root)).toEqual(before);
  });

  it('recognises an Azure Functions project it did not generate, and explains why it will not merge into it', async () => {
    const dir = scratchDir('foreign');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { '@azure/functions': '^4.0.0' } }));
    writeFileSync(join(dir, 'host.json'), '{ "version": "2.0" }');
    const error = await expectUserError(add(dir, ['http-api']), 2, /not inside a create-serverless-app project/);
    expect(error.details.join(' ')).toMatch(/This is an Azure Functions project .* but not one create-serverless-app generated/);
    // Saved by an editor with a byte order mark, its package.json still says so.
    writeFileSync(join(dir, 'package.json'), `\uFEFF${JSON.stringify({ dependencies: { '@azure/functions': '^4.0.0' } })}`);
    const withBom = await expectUserError(add(dir, ['http-api']), 2, /not inside a create-serverless-app project/);
    expect(withBom.details.join(' ')).toMatch(/This is an Azure Functions project .* but not one create-serverless-app generated/);
  });

  // Notepad and other Windows editors save UTF-8 with a byte order mark: the manifest read as damaged.
  it('reads a manifest an editor saved with a byte order mark', async () => {
    const root = await generate(['http-api']);
    edit(root, '.create-serverless-app.json', (text) => `\uFEFF${text.replace('{', '{\n  "$comment": "ours",')}`);
    await add(root, ['scheduled-tasks']);
    const manifest = read(root, '.create-serverless-app.json');
    expect(JSON.parse(manifest.replace(/^\uFEFF/, ''))).toMatchObject({ $comment: 'ours', answers: { patterns: { 'scheduled-tasks': expect.any(Object) } } });
  });

  // A package.json saved with a byte order mark read as unchanged dependencies: no install, nor the step to run it.
  it('installs the new dependencies into a package.json an editor saved with a byte order mark', async () => {
    const root = await generate(['http-api']);
    edit(root, 'package.json', (text) => `\uFEFF${text}`);
    const s = session(root);
    await add(root, ['event-processing'], {}, s);
    expect(read(root, 'package.json')).toMatch(/^\uFEFF\{/);
    const heading = s.logger.lines.findIndex((line) => line.includes('Next steps:'));
    expect(s.logger.lines.slice(heading + 1).map((line) => line.trim())).toContain('npm install');
  });

  it('reports a damaged manifest instead of trusting it', async () => {
    const root = await generate(['http-api']);
    writeFileSync(join(root, '.create-serverless-app.json'), '{ "generator": {} }');
    await expectUserError(add(root, ['event-processing']), 2, /\.create-serverless-app\.json is damaged: no generator version/);
  });

  it('reports a manifest recording an unknown package manager as damaged', async () => {
    const root = await generate(['http-api'], 'pnpm');
    edit(root, '.create-serverless-app.json', (text) => text.replace('"packageManager": "pnpm"', '"packageManager": "deno"'));
    await expectUserError(add(root, ['event-processing']), 2, /is damaged: unknown package manager "deno"/);
  });

  it('refuses a project generated by a newer version, which would get older files back; an older one is only warned about', async () => {
    const root = await generate(['http-api']);
    const path = join(root, '.create-serverless-app.json');
    const withVersion = (version: string) => writeFileSync(path, readFileSync(path, 'utf8').replace(/("generator": \{[^}]*"version": )"[^"]*"/, `$1"${version}"`));
    const [major, minor, patch] = GENERATOR.version.split(/[.-]/).map(Number) as [number, number, number];
    const before = tree(root);
    for (const version of [`${major}.${minor}.${patch + 1}`, `${major}.${minor + 1}.0-beta.1`, `${major + 1}.0.0`]) {
      withVersion(version);
      const error = await expectUserError(add(root, ['event-processing']), 2, /Nothing was written$/);
      expect(error.message).toContain(`generated by create-serverless-app ${version}, newer than this ${GENERATOR.version}: add would replace the files you left untouched with older versions`);
      expect(tree(root)).toEqual({ ...before, '.create-serverless-app.json': read(root, '.create-serverless-app.json') });
    }
    withVersion('0.0.0');
    const s = session(root);
    await add(root, ['event-processing'], {}, s);
    expect(s.logger.lines).toContainEqual(expect.stringContaining(`generated by create-serverless-app 0.0.0, this is ${GENERATOR.version}`));
  });

  it('reports a manifest it cannot read as a file system error naming it (exit 4), not as an unexpected error', async () => {
    const root = await generate(['http-api']);
    const path = join(root, '.create-serverless-app.json');
    rmSync(path);
    mkdirSync(path);
    await expectUserError(add(root, ['event-processing']), 4, new RegExp(`^cannot read ${path.replace(/[.\\/]/g, '\\$&')}: `));
  });

  it('refuses a manifest that records a path outside the project', async () => {
    const root = await generate(['http-api']);
    const path = join(root, '.create-serverless-app.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { files: Record<string, string> };
    manifest.files['src/../../outside.ts'] = '0'.repeat(64);
    writeFileSync(path, JSON.stringify(manifest));
    await expectUserError(add(root, ['event-processing']), 2, /\.create-serverless-app\.json is damaged: it records src\/\.\.\/\.\.\/outside\.ts, a path outside the project/);
  });

  it('names the patterns it could add when none is given and nobody can be asked', async () => {
    const root = await generate(['http-api']);
    await expectUserError(add(root, []), 2, /^missing required values \(--yes cannot default\): add <pattern> \(event-processing, scheduled-tasks, data-processing\)$/);
    await expectUserError(add(root, [], { yes: false }), 2, /^missing required values \(nothing is asked without a terminal, in a dumb one \(TERM=dumb\), with CI=true or with --json\): add <pattern> \(event-processing/);
  });

  // Found by QA: exit 2 "which pattern? … (all patterns are already in this project)", where a present pattern exits 0.
  it('has nothing to ask, and nothing to add, in a project with every pattern: exit 0, said in one line', async () => {
    const root = await generate(PATTERN_IDS);
    const before = tree(root);
    for (const s of [session(root), session(root, scriptedPrompter({}), true)]) {
      expect(await add(root, [], { yes: !s.interactive }, s)).toMatchObject({ added: [], written: false });
      expect(s.logger.lines).toEqual(['all four patterns are already in this project; nothing to add']);
    }
    expect(tree(root)).toEqual(before);
  });
});

describe('add, with a manifest edited by hand', () => {
  const MANIFEST = '.create-serverless-app.json';
  const editManifest = (root: string, change: (manifest: Record<string, any>) => Record<string, any> | void) => {
    const manifest = JSON.parse(read(root, MANIFEST)) as Record<string, any>;
    writeFileSync(join(root, MANIFEST), `${JSON.stringify(change(manifest) ?? manifest, null, 2)}\n`);
  };
  /** The same value with every object's keys in reverse order, as a JSON formatter might leave it. */
  const reordered = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(reordered)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reordered(item)]))
        : value;
  const edited = /\.create-serverless-app\.json: its recorded answers were edited by hand .*; restore it from version control \(git checkout -- \.create-serverless-app\.json\)\. Nothing was written$/;

  // Regenerated from edited answers, the base differs from what was written: the merge took generated files for edits.
  it.each([
    ['an option of a present pattern changed', (manifest: Record<string, any>) => void (manifest.answers.patterns['http-api'].resources = ['orders'])],
    ['a present pattern removed', (manifest: Record<string, any>) => void delete manifest.answers.patterns['scheduled-tasks']],
    ['the package manager changed', (manifest: Record<string, any>) => void (manifest.packageManager = 'pnpm')],
    ['a key added to the answers', (manifest: Record<string, any>) => void (manifest.answers.owner = 'payments')],
  ])('refuses recorded answers edited by hand (%s): exit 2, one line, nothing written', async (_case, change) => {
    const root = await generate(['http-api', 'scheduled-tasks']);
    editManifest(root, change);
    const before = tree(root);
    const error = await expectUserError(add(root, ['event-processing']), 2, edited);
    expect(error.message).not.toContain('\n');
    expect(error.details).toEqual([]);
    expect(tree(root)).toEqual(before);
  });

  // Found by QA: without the digest (as an older version wrote the manifest), answers emptied by hand made add remove
  // the present pattern's dependencies from package.json, taking them for the user's additions.
  it('refuses recorded answers that do not generate the files it records, with no digest to tell', async () => {
    const root = await generate(['http-api', 'scheduled-tasks']);
    editManifest(root, ({ answersSha256, ...manifest }) => {
      manifest.answers.patterns = { 'scheduled-tasks': manifest.answers.patterns['scheduled-tasks'] };
      return manifest;
    });
    const before = tree(root);
    const error = await expectUserError(add(root, ['event-processing']), 2, edited);
    expect(error.message).toMatch(/\(they do not generate infra\/modules\/http-api\.bicep and \d+ more files it records\)/);
    expect(tree(root)).toEqual(before);
  });

  it('takes a manifest a formatter re-indented and reordered: the same answers', async () => {
    const root = await generate(['http-api', 'scheduled-tasks']);
    writeFileSync(join(root, MANIFEST), JSON.stringify(reordered(JSON.parse(read(root, MANIFEST))), null, 4));
    expect(await add(root, ['event-processing'])).toMatchObject({ added: ['event-processing'], written: true });
    expect(read(root, MANIFEST)).toBe(read(await generate(['http-api', 'scheduled-tasks', 'event-processing']), MANIFEST));
  });

  it('takes a manifest an older version wrote, without the digest, and records the digest', async () => {
    const root = await generate(['http-api']);
    editManifest(root, ({ answersSha256, ...manifest }) => {
      expect(answersSha256).toMatch(/^[0-9a-f]{64}$/);
      return manifest;
    });
    expect(await add(root, ['event-processing'])).toMatchObject({ added: ['event-processing'], written: true });
    expect(read(root, MANIFEST)).toBe(read(await generate(['http-api', 'event-processing']), MANIFEST));
  });

  it('keeps the keys a team added at the top level, where they were', async () => {
    const root = await generate(['http-api']);
    editManifest(root, (manifest) => ({ $comment: 'do not edit', ...manifest, owner: { team: 'payments' } }));
    await add(root, ['event-processing']);
    const manifest = JSON.parse(read(root, MANIFEST)) as Record<string, unknown>;
    const { $comment, owner, ...generated } = manifest;
    expect(Object.keys(manifest)).toEqual(['$comment', 'generator', 'answers', 'answersSha256', 'files', 'owner']);
    expect({ $comment, owner }).toEqual({ $comment: 'do not edit', owner: { team: 'payments' } });
    expect(generated).toEqual(JSON.parse(read(await generate(['http-api', 'event-processing']), MANIFEST)));
    // Kept through the next add too: the digest covers the answers, not the team's keys.
    await add(root, ['scheduled-tasks']);
    expect(JSON.parse(read(root, MANIFEST))).toMatchObject({ $comment: 'do not edit', owner: { team: 'payments' } });
  });

  // Found by review: an entry a team added for a file of its own (so that doctor tells when it changes) was refused as
  // answers edited by hand, and, in a manifest an older version wrote, dropped without a word by the manifest add wrote.
  it.each([
    ['this version', undefined],
    ['an older version', '0.0.0'],
  ])('keeps the entry a team added for a file of its own that is still there (manifest of %s); drops one whose file is gone, or is a folder', async (_case, version) => {
    const root = await generate(['http-api']);
    const own = 'export const vendored = true;\n';
    writeFileSync(join(root, 'src/vendored.ts'), own);
    editManifest(root, (manifest) => {
      if (version !== undefined) manifest.generator.version = version;
      manifest.files['src/vendored.ts'] = sha256(own);
      manifest.files['src/gone.ts'] = sha256('export {};\n');
      // A folder is no file of the team's: doctor would report it unreadable on every run.
      manifest.files['src/functions'] = sha256('export {};\n');
    });
    expect(await add(root, ['event-processing'])).toMatchObject({ added: ['event-processing'], written: true });
    const { files, ...manifest } = JSON.parse(read(root, MANIFEST)) as { files: Record<string, string> };
    const { files: generatedFiles, ...generated } = JSON.parse(read(await generate(['http-api', 'event-processing']), MANIFEST)) as { files: Record<string, string> };
    expect(manifest).toEqual(generated);
    expect(files).toEqual({ ...generatedFiles, 'src/vendored.ts': sha256(own) });
    // In path order, as every entry is written; and kept through the next add too.
    expect(Object.keys(files)).toEqual(Object.keys(files).sort());
    await add(root, ['scheduled-tasks']);
    expect(JSON.parse(read(root, MANIFEST)).files['src/vendored.ts']).toBe(sha256(own));
  });

  it('takes an entry recorded by hand with its sha256 in upper case (PowerShell\'s Get-FileHash) as a hash, and keeps it as written', async () => {
    const root = await generate(['http-api']);
    writeFileSync(join(root, 'src/vendored.ts'), 'export {};\n');
    const hash = sha256('export {};\n').toUpperCase();
    editManifest(root, (manifest) => void (manifest.files['src/vendored.ts'] = hash));
    expect(await add(root, ['event-processing'])).toMatchObject({ written: true });
    expect(JSON.parse(read(root, MANIFEST)).files['src/vendored.ts']).toBe(hash);
  });

  // The entry says nothing of what add generated: trusted, it made add overwrite the team's file as untouched.
  it('takes a file a team recorded by hand where the new pattern writes one as theirs, in the way: a conflict, not an update', async () => {
    const root = await generate(['http-api']);
    const path = 'infra/modules/scheduled-tasks.bicep';
    const own = '// the team’s own module\n';
    writeFileSync(join(root, path), own);
    editManifest(root, (manifest) => void (manifest.files[path] = sha256(own)));
    const before = tree(root);
    const error = await expectUserError(add(root, ['scheduled-tasks']), 3, /^1 file that create-serverless-app did not generate is in the way; nothing was written/);
    expect(error.details).toEqual([path, '  a file that create-serverless-app did not generate is in the way']);
    expect(tree(root)).toEqual(before);
  });

  // add rewrites the generator's record whole: a key put inside it would be lost without a word.
  it('refuses a key added inside the generator record, saying where keys of the team belong', async () => {
    const root = await generate(['http-api']);
    editManifest(root, (manifest) => void (manifest.generator.owner = 'payments'));
    await expectUserError(add(root, ['event-processing']), 2, /\.create-serverless-app\.json is damaged: unknown key generator\.owner \(keys of your own belong at the top level, which add keeps\)/);
  });

  // Found by QA: a key added inside files was dropped without a word by the manifest add wrote.
  it('refuses a key added among the file hashes, which it would lose, saying where keys of the team belong', async () => {
    const root = await generate(['http-api']);
    editManifest(root, (manifest) => void (manifest.files.$comment = 'hashes of the generated files'));
    const before = tree(root);
    await expectUserError(add(root, ['event-processing']), 2, /\.create-serverless-app\.json is damaged: files\.\$comment is not a file hash \(keys of your own belong at the top level, which add keeps\)$/);
    expect(tree(root)).toEqual(before);
  });

  it('says a comment is what it cannot read in the manifest, and where a note belongs instead', async () => {
    const root = await generate(['http-api']);
    edit(root, MANIFEST, (text) => text.replace('{', '{\n  // owned by payments'));
    await expectUserError(add(root, ['event-processing']), 2, /\.create-serverless-app\.json is damaged: it holds a comment, which JSON does not allow \(keys of your own belong at the top level, which add keeps: a "\$comment"\)$/);
    // Not every error is a comment: a "//" inside a string is none.
    edit(root, MANIFEST, (text) => text.replace('// owned by payments', '"$comment": "see https://example.com",').replace('"files"', '"files",'));
    await expectUserError(add(root, ['event-processing']), 2, /\.create-serverless-app\.json is damaged: it is not valid JSON$/);
  });
});
