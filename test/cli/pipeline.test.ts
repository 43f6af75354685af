import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATTERN_IDS } from '../../src/patterns/types.js';
import { generateApp, runCli, scratchDir } from '../support/generated-app.js';

const listFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();

describe('--json', () => {
  it('prints only the result document on stdout and logs on stderr', () => {
    const parent = scratchDir('json');
    const result = runCli(['app', '--pattern', 'http-api', '--yes', '--no-install', '--no-git', '--json'], { cwd: parent });
    expect(result.status).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ ok: true, directory: join(parent, 'app'), patterns: ['http-api'], dryRun: false });
    expect(document.files).toEqual(listFiles(join(parent, 'app')));
    expect(document.postSteps).toEqual([
      { step: 'install', status: 'skipped', detail: '--no-install' },
      { step: 'git', status: 'skipped', detail: '--no-git' },
    ]);
    expect(document.nextSteps).toContain('npm test');
    expect(result.stderr).toMatch(/Created \d+ files/);
  });

  it('quotes a target path with spaces in the next steps, so `cd` can be pasted', () => {
    const parent = scratchDir('json-space');
    const result = runCli(["my app's", '--name', 'spaced', '--pattern', 'http-api', '--yes', '--no-install', '--no-git', '--json'], { cwd: parent });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).nextSteps[0]).toBe("cd 'my app'\\''s'");
  });

  it('keeps a folder named like an option from being read as one by `cd`', () => {
    const result = runCli(['./-app', '--name', 'dashed', '--pattern', 'http-api', '--yes', '--dry-run', '--json'], { cwd: scratchDir('json-dash') });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).nextSteps[0]).toBe('cd ./-app');
  });

  it('reports errors as JSON with the exit code', () => {
    const result = runCli(['app', '--pattern', 'nope', '--json'], { cwd: scratchDir('json-error') });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, error: { code: 2, message: expect.stringMatching(/^--pattern: unknown pattern "nope"/), details: [] } });
  });

  it("carries every entry of an error's list, which the terminal cuts short", () => {
    const parent = scratchDir('json-long-list');
    const notes = Array.from({ length: 25 }, (_, index) => `note-${String(index + 1).padStart(2, '0')}.txt`);
    mkdirSync(join(parent, 'app'));
    for (const note of notes) writeFileSync(join(parent, 'app', note), '');
    const result = runCli(['app', '--pattern', 'http-api', '--yes', '--no-install', '--no-git', '--json'], { cwd: parent });
    expect(result.status).toBe(3);
    expect(JSON.parse(result.stdout).error.details).toEqual(notes);
    expect(result.stderr.trimEnd().split('\n').slice(1)).toEqual([...notes.slice(0, 20), '… and 5 more'].map((line) => `  ${line}`));
  });

  it('reports a subcommand usage error once: JSON on stdout, one line on stderr', () => {
    const result = runCli(['list', '--json', '--bogus']);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error.message).toBe("unknown option '--bogus'");
    expect(result.stderr).toBe("✖ unknown option '--bogus'\n");
  });

  it("keeps commander's suggestion out of a JSON error's one-line message", () => {
    const result = runCli(['list', '--json', '--jsn']);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error).toEqual({ code: 2, message: "unknown option '--jsn'", details: ['(Did you mean --json?)'] });
  });

  it('never prompts, even on a terminal: missing values are an error', () => {
    const result = runCli(['--json'], { env: { CI: '' } });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error.message).toMatch(/missing required values/);
  });
});

// A pipeline that adds a pattern reads what changed as create's result is read; add had no --json.
describe('add --json', () => {
  it('prints only the result document on stdout, the plan on stderr', () => {
    const dir = generateApp(scratchDir('add-json'), 'app', ['--pattern', 'http-api']);
    const result = runCli(['add', 'scheduled-tasks', '--no-install', '--json'], { cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ ok: true, directory: dir, added: ['scheduled-tasks'], alreadyPresent: [], dryRun: false, written: true });
    expect(document.files).toContainEqual({ path: 'src/functions/run-report.ts', outcome: 'create' });
    expect(document.files).toContainEqual({ path: 'package.json', outcome: 'update' });
    expect(document.nextSteps).toContain('npm install');
    expect(result.stderr).toContain('Adding scheduled-tasks to this project:');
  });

  it('never asks: a conflict is an error document with its files, exit 3', () => {
    const dir = generateApp(scratchDir('add-json-conflict'), 'app', ['--pattern', 'http-api']);
    writeFileSync(join(dir, 'src/functions/run-report.ts'), '// mine\n');
    const result = runCli(['add', 'scheduled-tasks', '--no-install', '--json'], { cwd: dir, env: { CI: '' } });
    expect(result.status).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 3, details: expect.arrayContaining([expect.stringContaining('src/functions/run-report.ts')]) } });
    expect(readFileSync(join(dir, 'src/functions/run-report.ts'), 'utf8')).toBe('// mine\n');
  });
});

describe('list', () => {
  it('lists every pattern with its matrix row and options as JSON', () => {
    const result = runCli(['list', '--json']);
    expect(result.status).toBe(0);
    const { patterns } = JSON.parse(result.stdout);
    expect(patterns.map((p: { id: string }) => p.id)).toEqual([...PATTERN_IDS]);
    expect(patterns[0]).toMatchObject({ id: 'http-api', title: 'HTTP API', matrix: { useCase: 'RESTful', scalability: 'High', complexity: 'Low' } });
    for (const pattern of patterns) for (const option of pattern.options) expect(option).toMatchObject({ key: expect.any(String), flag: expect.stringMatching(/^--/) });
  });

  it('prints a readable table', () => {
    expect(runCli(['list']).stdout).toMatch(/^Patterns \(ids are stable across versions\):\n\nhttp-api {2}HTTP API — RESTful · scalability High · complexity Low/);
  });

  it('shows each default as its flag takes it, not as JSON', () => {
    const { stdout } = runCli(['list']);
    expect(stdout).toContain('(default: "run-report=daily at 02:30", answers key: jobs)');
    expect(stdout).toContain('(default: "items", answers key: resources)');
    expect(stdout).toContain('(default: "filtering,transformation", answers key: eventStyles)');
  });

  // The descriptions name the choices, as --help shows them: list repeated them in brackets after each.
  it('names the choices of an option once, in its description', () => {
    const { patterns } = JSON.parse(runCli(['list', '--json']).stdout) as { patterns: Array<{ options: Array<{ flag: string; description: string; choices?: string[] }> }> };
    const lines = runCli(['list']).stdout.split('\n');
    for (const option of patterns.flatMap((pattern) => pattern.options).filter((o) => o.choices)) {
      for (const choice of option.choices!) expect(option.description, option.flag).toMatch(new RegExp(`\\b${choice}\\b`));
      const line = lines.find((l) => l.startsWith(`    ${option.flag}  `))!;
      expect(line, option.flag).toMatch(new RegExp(`^ {4}\\S+ \\S+ {2}${option.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(default: `));
    }
  });
});

describe('--answers', () => {
  it('re-creates an app exactly from the answers its manifest recorded', () => {
    const parent = scratchDir('recreate');
    expect(runCli(['original', '--pattern', PATTERN_IDS.join(','), '--location', 'westeurope', '--yes', '--no-install', '--no-git'], { cwd: parent }).status).toBe(0);
    const copy = runCli(['copy', '--answers', 'original/.create-serverless-app.json', '--no-install', '--no-git'], { cwd: parent });
    expect(copy.stderr).toBe('');
    expect(copy.status).toBe(0);
    const original = join(parent, 'original');
    expect(listFiles(join(parent, 'copy'))).toEqual(listFiles(original));
    for (const file of listFiles(original)) {
      expect(readFileSync(join(parent, 'copy', file), 'utf8'), file).toBe(readFileSync(join(original, file), 'utf8'));
    }
  });

  // Launched by another package manager than the original's, the copy still gets the original's README and files.
  it.each([
    ['npm', 'pnpm/9.12.0 npm/? node/v20.20.2 linux x64'],
    ['pnpm', 'npm/11.6.0 node/v20.20.2 linux x64 workspaces/false'],
  ])('re-creates an app made for %s with that package manager', (packageManager, launchedBy) => {
    const parent = scratchDir(`recreate-${packageManager}`);
    expect(runCli(['original', '--pattern', 'http-api', '--yes', '--no-install', '--no-git', '--package-manager', packageManager], { cwd: parent }).status).toBe(0);
    const copy = runCli(['copy', '--answers', 'original/.create-serverless-app.json', '--no-install', '--no-git'], { cwd: parent, env: { npm_config_user_agent: launchedBy } });
    expect(copy.status, copy.stderr).toBe(0);
    const original = join(parent, 'original');
    expect(listFiles(join(parent, 'copy'))).toEqual(listFiles(original));
    for (const file of listFiles(original)) {
      expect(readFileSync(join(parent, 'copy', file), 'utf8'), file).toBe(readFileSync(join(original, file), 'utf8'));
    }
    expect(copy.stdout).toContain(`${packageManager} install`);
  });

  // --pattern wins over the file's patterns; the options the file gives for the others are said to be unused.
  it('says which answers-file options --pattern left unused, and writes the app', () => {
    const parent = scratchDir('unused');
    writeFileSync(join(parent, 'answers.json'), JSON.stringify({ name: 'picked', patterns: { 'http-api': {}, 'scheduled-tasks': { timeZone: 'Europe/Berlin' } } }));
    const result = runCli(['--answers', 'answers.json', '--pattern', 'http-api', '--no-install', '--no-git'], { cwd: parent });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe('⚠ --answers answers.json: patterns.scheduled-tasks is not applied: --pattern chose http-api\n');
    expect(Object.keys(JSON.parse(readFileSync(join(parent, 'picked/.create-serverless-app.json'), 'utf8')).answers.patterns)).toEqual(['http-api']);
  });

  // Not applied, so not checked: a file kept for every pattern failed a run that --pattern narrowed to others.
  it('does not refuse invalid options of a pattern --pattern left out: they are not applied', () => {
    const parent = scratchDir('unused-invalid');
    const patterns = { 'http-api': {}, 'scheduled-tasks': { timeZone: 'Mars/Base' }, 'data-processing': { coolAfterDays: 200, archiveAfterDays: 100 } };
    writeFileSync(join(parent, 'answers.json'), JSON.stringify({ name: 'picked', patterns }));
    const result = runCli(['--answers', 'answers.json', '--pattern', 'http-api', '--no-install', '--no-git'], { cwd: parent });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      '⚠ --answers answers.json: patterns.scheduled-tasks is not applied: --pattern chose http-api\n' +
        '⚠ --answers answers.json: patterns.data-processing is not applied: --pattern chose http-api\n',
    );
  });

  it('reads YAML, and flags override the file', () => {
    const parent = scratchDir('yaml');
    writeFileSync(join(parent, 'answers.yaml'), 'name: yaml-app\nlocation: uksouth\npatterns:\n  http-api: {}\n');
    const result = runCli(['--answers', 'answers.yaml', '--location', 'westus3', '--no-install', '--no-git', '--json'], { cwd: parent });
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(parent, 'yaml-app/.create-serverless-app.json'), 'utf8'));
    expect(manifest.answers).toMatchObject({ name: 'yaml-app', location: 'westus3' });
  });

  it.each([
    ['malformed', '{"name": "x",', /is not valid JSON/],
    ['unknown keys', '{"name": "x", "patterns": ["http-api"], "region": "x"}', /unknown key "region"/],
    ['wrong types', '{"name": ["x"], "patterns": ["http-api"]}', /"name" must be a string/],
    ['a value that fails validation', '{"name": "Bad Name", "patterns": ["http-api"]}', /^✖ --answers answers\.json: name: project name "Bad Name" is invalid/],
    ['an unknown pattern option', '{"name": "x", "patterns": {"http-api": {"nope": 1}}}', /^✖ --answers answers\.json: patterns\.http-api\.nope is not an option of http-api \(options: resources, /],
    ['an option value that fails validation', '{"name": "x", "patterns": {"http-api": {"resources": 5}}}', /^✖ --answers answers\.json: patterns\.http-api\.resources: resource names are strings; got 5/],
    [
      'options that break a rule across options',
      '{"name": "x", "patterns": {"data-processing": {"coolAfterDays": 200, "archiveAfterDays": 100}}}',
      /^✖ --answers answers\.json: patterns\.data-processing\.archiveAfterDays \(100\) must be greater than patterns\.data-processing\.coolAfterDays \(200\)/,
    ],
  ])('%s: exit 2 and nothing written', (_, content, message) => {
    const parent = scratchDir('bad-answers');
    writeFileSync(join(parent, 'answers.json'), content);
    const result = runCli(['--answers', 'answers.json', '--yes', '--no-install', '--no-git'], { cwd: parent });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(readdirSync(parent)).toEqual(['answers.json']);
  });

  // A pipeline fixed one wrong value per run: every value that fails its own check is listed at once.
  it('lists every invalid value of the file and the flags at once, each where it was given', () => {
    const parent = scratchDir('several-bad-answers');
    writeFileSync(join(parent, 'answers.json'), JSON.stringify({ name: 'Bad Name', patterns: { 'http-api': { resources: 5, auth: 'x' }, 'scheduled-tasks': {} } }));
    const result = runCli(['--answers', 'answers.json', '--location', 'moon', '--time-zone', 'Mars/Base', '--yes', '--no-install', '--no-git'], { cwd: parent });
    expect(result.status).toBe(2);
    const [summary, ...listed] = result.stderr.trimEnd().split('\n');
    expect(summary).toBe('✖ 5 given values are invalid:');
    expect(listed).toEqual([
      expect.stringMatching(/^ {2}--location: unknown or unsupported Azure region "moon"/),
      expect.stringMatching(/^ {2}--answers answers\.json: name: project name "Bad Name" is invalid/),
      expect.stringMatching(/^ {2}--answers answers\.json: patterns\.http-api\.resources: resource names are strings; got 5$/),
      expect.stringMatching(/^ {2}--answers answers\.json: patterns\.http-api\.auth: unknown auth mode "x"/),
      expect.stringMatching(/^ {2}--time-zone: .*Mars\/Base/),
    ]);
    expect(readdirSync(parent)).toEqual(['answers.json']);

    const json = runCli(['--answers', 'answers.json', '--location', 'moon', '--time-zone', 'Mars/Base', '--yes', '--json'], { cwd: parent });
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 2, message: '5 given values are invalid:', details: listed.map((line) => line.trim()) });
  });

  // As with values: a pipeline fixing the file's shape one key per run took a run per mistake.
  it('lists every problem of the file\'s shape at once, each on its own line', () => {
    const parent = scratchDir('bad-answers-shape');
    const content = { name: 5, location: ['x'], region: 'x', patterns: { nope: {}, 'http-api': { resource: 'orders' }, 'scheduled-tasks': 'hourly' } };
    writeFileSync(join(parent, 'answers.json'), JSON.stringify(content));
    const result = runCli(['--answers', 'answers.json', '--yes', '--no-install', '--no-git'], { cwd: parent });
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      '✖ --answers answers.json: 6 problems:',
      '  unknown key "region" (allowed: name, location, patterns)',
      '  "name" must be a string',
      '  "location" must be a string',
      '  unknown pattern "nope" in "patterns"; valid patterns: http-api, event-processing, scheduled-tasks, data-processing',
      expect.stringMatching(/^ {2}patterns\.http-api\.resource is not an option of http-api \(options: resources, /),
      '  "patterns.scheduled-tasks" must be an object of options',
    ]);
    expect(readdirSync(parent)).toEqual(['answers.json']);
  });

  // A value from a file may hold any character: printed as it is, a newline split its line and an escape code
  // recoloured the terminal.
  it('shows control characters of a value escaped, each invalid value on one line', () => {
    const parent = scratchDir('control-characters');
    const jobs = [{ name: 'a\nb\u001b[31mred', schedule: 'hourly' }];
    writeFileSync(join(parent, 'answers.json'), JSON.stringify({ name: 'x', patterns: { 'scheduled-tasks': { jobs }, 'data-processing': { inputContainer: 'in\rbox' } } }));
    const result = runCli(['--answers', 'answers.json', '--yes', '--no-install', '--no-git'], { cwd: parent });
    expect(result.status).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      '✖ 2 given values are invalid:',
      expect.stringContaining('patterns.scheduled-tasks.jobs: job name "a\\nb\\u001b[31mred" must be kebab-case'),
      expect.stringContaining('patterns.data-processing.inputContainer: "in\\rbox" is not a valid Azure container name'),
    ]);
    const json = runCli(['--answers', 'answers.json', '--yes', '--json'], { cwd: parent });
    expect(JSON.parse(json.stdout).error.details).toEqual(lines.slice(1).map((line) => line.trim()));
  });

  it('a YAML error is one line, the excerpt of the file under it', () => {
    const parent = scratchDir('bad-yaml');
    writeFileSync(join(parent, 'answers.yaml'), 'name: x\npatterns:\n  http-api:\n    resources: [orders, customers\n');
    const result = runCli(['--answers', 'answers.yaml', '--yes', '--no-install', '--no-git'], { cwd: parent });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      '✖ --answers answers.yaml: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 5, column 1\n' +
        '      resources: [orders, customers\n  ^\n',
    );
  });

  // As the missing patterns are: the file is where a pipeline that gives one would put the name too.
  it('with an answers file, a missing name says the file can give it', () => {
    const parent = scratchDir('no-name');
    writeFileSync(join(parent, 'answers.json'), '{"patterns": ["http-api"]}');
    const result = runCli(['--answers', 'answers.json', '--yes'], { cwd: parent });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('✖ missing required values (--yes cannot default): [directory] or --name (the project folder, e.g. my-app), or "name" in the answers file\n');
  });

  // Where the file's layout keeps it: one level down in a manifest's layout; a map of pattern options has no place for
  // it (a "name" beside the pattern ids makes them unknown keys), so the hint would break the file.
  it.each([
    ['a manifest\'s layout', '{"answers": {"patterns": ["http-api"]}}', ', or "answers.name" in the answers file'],
    ['a map of pattern options', '{"http-api": {}}', ''],
  ])('with %s, a missing name names the key the file could give it by, if any', (_, content, hint) => {
    const parent = scratchDir('no-name-layout');
    writeFileSync(join(parent, 'answers.json'), content);
    const result = runCli(['--answers', 'answers.json', '--yes'], { cwd: parent });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`✖ missing required values (--yes cannot default): [directory] or --name (the project folder, e.g. my-app)${hint}\n`);
  });

  it('--yes with an answers file that lacks patterns fails instead of guessing', () => {
    const parent = scratchDir('no-patterns');
    writeFileSync(join(parent, 'answers.json'), '{"name": "x"}');
    const result = runCli(['--answers', 'answers.json', '--yes'], { cwd: parent });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--yes cannot default.*"patterns" in the answers file/);
  });
});
