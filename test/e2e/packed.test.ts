import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PATTERN_IDS } from '../../src/patterns/types.js';
import { REPO_ROOT, runIn, scratchDir } from '../support/generated-app.js';

// What users get from `npx create-serverless-app`: the packed tarball installed into an empty folder with no
// access to this repository, so missing files, wrong template paths or dev-only imports fail here.
describe('the packed tarball', () => {
  const sandbox = scratchDir('packed');
  let bin: string;

  beforeAll(async () => {
    const tarball = execFileSync('npm', ['pack', '--pack-destination', sandbox, '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    await runIn(sandbox, 'npm', ['init', '-y']);
    await runIn(sandbox, 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(sandbox, tarball)]);
    bin = join(sandbox, 'node_modules/.bin/create-serverless-app');
  });

  it('generates the four-pattern app as users run it', async () => {
    const output = await runIn(sandbox, bin, ['app', '--pattern', PATTERN_IDS.join(','), '--yes', '--no-install', '--no-git'], {
      env: { ...process.env, CI: 'true', NODE_PATH: '' },
    });
    expect(output).toMatch(/Created \d+ files in app/);
    const manifest = JSON.parse(readFileSync(join(sandbox, 'app/.create-serverless-app.json'), 'utf8'));
    expect(Object.keys(manifest.answers.patterns)).toEqual([...PATTERN_IDS]);
    for (const path of Object.keys(manifest.files)) expect(existsSync(join(sandbox, 'app', path)), path).toBe(true);
  });

  it('answers --help and --version from the installed bin', async () => {
    expect((await runIn(sandbox, bin, ['--version'])).trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    expect(await runIn(sandbox, bin, ['--help'])).toContain('Usage: create-serverless-app');
  });
});
