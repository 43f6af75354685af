import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir } from '../support/generated-app.js';

describe('post-steps', () => {
  it('initialises git, installs with the chosen package manager and reports both', () => {
    const parent = scratchDir('post-steps');
    const result = runCli(['full-app', '--pattern', 'http-api', '--yes', '--package-manager', 'npm', '--json'], {
      cwd: parent,
      env: { GIT_CONFIG_GLOBAL: '/dev/null', npm_config_prefer_offline: 'true' },
    });
    expect(result.status, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.postSteps).toEqual([
      { step: 'git', status: 'done' },
      { step: 'install', status: 'done' },
    ]);
    expect(document.nextSteps).not.toContain('npm install');
    expect(result.stderr).toMatch(/Installing dependencies with npm/);
    const dir = join(parent, 'full-app');
    expect(existsSync(join(dir, 'node_modules/@azure/functions/package.json'))).toBe(true);
    expect(spawnSync('git', ['log', '--oneline'], { cwd: dir, encoding: 'utf8' }).stdout).toMatch(/Initial commit/);
  });

  it('keeps the project and exits 5 when the install fails', () => {
    const parent = scratchDir('post-fail');
    // An unreachable registry makes npm fail fast and offline.
    const unreachableRegistry = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_prefer_offline: 'false', npm_config_cache: join(parent, 'empty-cache') };
    const result = runCli(['broken-install', '--pattern', 'http-api', '--yes', '--no-git'], { cwd: parent, env: unreachableRegistry });
    expect(result.status).toBe(5);
    expect(result.stderr).toMatch(/Installing dependencies with npm failed/);
    expect(result.stderr).toMatch(/✖ the project was created in broken-install, but install failed; run it by hand\n {2}install: /);
    expect(existsSync(join(parent, 'broken-install/package.json'))).toBe(true);

    // A script reading --json learns what was created and which step failed, not only that one did.
    const json = runCli(['broken-json', '--pattern', 'http-api', '--yes', '--no-git', '--json'], { cwd: parent, env: unreachableRegistry });
    expect(json.status).toBe(5);
    const document = JSON.parse(json.stdout);
    expect(document).toMatchObject({
      ok: false,
      directory: join(parent, 'broken-json'),
      postSteps: [{ step: 'git', status: 'skipped' }, { step: 'install', status: 'failed', detail: expect.any(String) }],
      error: { code: 5, details: [expect.stringMatching(/^install: /)] },
    });
    expect(document.files).toContain('package.json');
    expect(document.nextSteps).toContain('npm install');
  });
});
