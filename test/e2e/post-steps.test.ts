import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, scratchDir } from '../support/generated-app.js';

describe('post-steps', () => {
  it('installs with the chosen package manager, then commits everything, the lockfile included', () => {
    const parent = scratchDir('post-steps');
    const result = runCli(['full-app', '--pattern', 'http-api', '--yes', '--package-manager', 'npm', '--json'], {
      cwd: parent,
      env: { GIT_CONFIG_GLOBAL: '/dev/null', npm_config_prefer_offline: 'true' },
    });
    expect(result.status, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.postSteps).toEqual([
      { step: 'install', status: 'done' },
      { step: 'git', status: 'done' },
    ]);
    expect(document.nextSteps).not.toContain('npm install');
    expect(result.stderr).toMatch(/Installing dependencies with npm/);
    const dir = join(parent, 'full-app');
    expect(existsSync(join(dir, 'node_modules/@azure/functions/package.json'))).toBe(true);
    expect(spawnSync('git', ['log', '--oneline'], { cwd: dir, encoding: 'utf8' }).stdout).toMatch(/Initial commit/);
    // Committed before the install, the lockfile was left out, and the workflow's `npm ci` failed on the first push.
    expect(spawnSync('git', ['ls-files', 'package-lock.json'], { cwd: dir, encoding: 'utf8' }).stdout.trim()).toBe('package-lock.json');
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' }).stdout).toBe('');
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
      postSteps: [{ step: 'install', status: 'failed', detail: expect.any(String) }, { step: 'git', status: 'skipped' }],
      error: { code: 5, details: [expect.stringMatching(/^install: /)] },
    });
    expect(document.files).toContain('package.json');
    expect(document.nextSteps).toContain('npm install');
  });

  it("says why an install failed in the package manager's own words, and when the package manager is missing", () => {
    const parent = scratchDir('post-why');
    // A yarn that refuses as yarn 1 does, first on the PATH.
    const bin = join(parent, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'yarn'), '#!/bin/sh\necho "yarn install v1.22.22" >&2\necho \'error @azure/core-auth@1.11.0: The engine "node" is incompatible with this module.\' >&2\nexit 1\n');
    chmodSync(join(bin, 'yarn'), 0o755);
    const refused = runCli(['refused', '--pattern', 'http-api', '--yes', '--no-git', '--package-manager', 'yarn'], { cwd: parent, env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(refused.status).toBe(5);
    expect(refused.stderr).toMatch(/ {2}install: Command failed with exit code 1: yarn install: error @azure\/core-auth@1\.11\.0: The engine "node" is incompatible/);

    // No pnpm anywhere on this PATH (the CLI runs on process.execPath and needs none).
    const missing = runCli(['missing', '--pattern', 'http-api', '--yes', '--no-git', '--package-manager', 'pnpm'], { cwd: parent, env: { PATH: bin } });
    expect(missing.status).toBe(5);
    expect(missing.stderr).toMatch(/ {2}install: pnpm is not installed or not on the PATH \(pnpm install\)/);
  });

  it('keeps the project, exits 5 and lists the git commands to run by hand when git fails', () => {
    const parent = scratchDir('post-git');
    // A git that fails every command, first on the PATH.
    const bin = join(parent, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), '#!/bin/sh\necho "fatal: cannot lock ref" >&2\nexit 128\n');
    chmodSync(join(bin, 'git'), 0o755);
    const result = runCli(['no-repo', '--pattern', 'http-api', '--yes', '--no-install', '--json'], { cwd: parent, env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(result.status).toBe(5);
    const document = JSON.parse(result.stdout);
    expect(document.postSteps).toEqual([expect.objectContaining({ step: 'install', status: 'skipped' }), { step: 'git', status: 'failed', detail: expect.stringMatching(/: fatal: cannot lock ref$/) }]);
    // The install first, so that the commit holds the lockfile.
    expect(document.nextSteps.slice(0, 3)).toEqual(['cd no-repo', 'npm install', 'git init && git add --all && git commit -m "Initial commit"']);
    expect(existsSync(join(parent, 'no-repo/package.json'))).toBe(true);
  });

  it('stops the install on Ctrl-C, starts no git after it, keeps the project and exits 130', async () => {
    const parent = scratchDir('post-interrupt');
    // An npm that records its pid and hangs, first on the PATH: the install is still running when Ctrl-C comes.
    const bin = join(parent, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho $$ > "${join(parent, 'npm.pid')}"\nexec sleep 60\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    const cli = spawn(process.execPath, [CLI, 'stopped', '--pattern', 'http-api', '--yes', '--package-manager', 'npm'], {
      cwd: parent,
      env: { ...process.env, CI: 'true', PATH: `${bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    const pidFile = join(parent, 'npm.pid');
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await sleep(50);
    cli.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(stderr).toMatch(/✖ interrupted: the project was created in stopped, but install and git did not finish; run them by hand\n/);
    expect(existsSync(join(parent, 'stopped/package.json'))).toBe(true);
    expect(existsSync(join(parent, 'stopped/.git'))).toBe(false);
    const npmPid = Number(readFileSync(pidFile, 'utf8'));
    await sleep(200);
    // kill(pid, 0) throws ESRCH once the hanging install is gone: Ctrl-C must not leave it running.
    expect(() => process.kill(npmPid, 0)).toThrow();
  }, 30_000);
});

