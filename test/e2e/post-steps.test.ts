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
    const result = runCli(['broken-install', '--pattern', 'http-api', '--yes', '--no-git'], {
      cwd: parent,
      // An unreachable registry makes npm fail fast and offline.
      env: { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_prefer_offline: 'false', npm_config_cache: join(parent, 'empty-cache') },
    });
    expect(result.status).toBe(5);
    expect(result.stderr).toMatch(/Installing dependencies with npm failed/);
    expect(result.stderr).toMatch(/✖ the project was created in broken-install, but a post-step failed/);
    expect(existsSync(join(parent, 'broken-install/package.json'))).toBe(true);
  });
});
