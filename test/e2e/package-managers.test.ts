import { spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateApp, runIn, scratchDir } from '../support/generated-app.js';

// The other end-to-end tests install with npm. pnpm 10 skips the install scripts of packages the app does not
// allow, esbuild's among them (and pnpm 12 fails the install): the pnpm-workspace.yaml the app gets allows it.
const PNPM = ['--yes', 'pnpm@10'];
const pnpmMissing = spawnSync('npx', [...PNPM, '--version'], { encoding: 'utf8', timeout: 120_000 }).status !== 0;
if (pnpmMissing) console.warn('[skip] pnpm@10 could not be fetched through npx (no npm registry?): the pnpm app test is skipped');

describe.skipIf(pnpmMissing)('an app made for pnpm', () => {
  it("installs with pnpm 10, esbuild's install script included, then builds and passes its tests", async () => {
    const dir = generateApp(scratchDir('e2e-pnpm'), 'pnpm-app', ['--pattern', 'http-api', '--package-manager', 'pnpm']);
    const installed = await runIn(dir, 'npx', [...PNPM, 'install']);
    expect(installed).not.toMatch(/Ignored build scripts/i);
    await runIn(dir, 'npx', [...PNPM, 'run', 'build']);
    expect(stripVTControlCharacters(await runIn(dir, 'npx', [...PNPM, 'test']))).toMatch(/Tests +\d+ passed/);
  }, 600_000);
});
