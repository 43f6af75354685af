import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateApp, runCli, scratchDir } from '../support/generated-app.js';
import { moveAppSettingsIntoVariable } from '../support/user-edits.js';

// The built CLI, as a pipeline runs it: exit codes and the --json contract.
describe('create-serverless-app doctor', () => {
  const dir = generateApp(scratchDir('doctor-cli'), 'app', ['--pattern', 'http-api']);

  it('exits 0 on a fresh app and prints every check', () => {
    const result = runCli(['doctor'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('✔ package.json "main" matches every compiled function');
  });

  it('exits 6 with a JSON report on stdout when something is wrong', () => {
    rmSync(join(dir, 'local.settings.json'));
    const result = runCli(['doctor', '--json'], { cwd: dir });
    expect(result.status).toBe(6);
    const report = JSON.parse(result.stdout) as { ok: boolean; errors: number; checks: { id: string; status: string }[] };
    expect(report).toMatchObject({ ok: false, errors: 1 });
    expect(report.checks.find((check) => check.id === 'local-settings')!.status).toBe('error');
    expect(result.stderr).toContain('doctor found 1 problem');
  });

  it('finds no file edited in a clone checked out with CRLF line endings (git core.autocrlf, as on Windows)', () => {
    const app = generateApp(scratchDir('doctor-crlf'), 'app', ['--pattern', 'http-api']);
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd, stdio: 'pipe' });
    git(app, 'init', '-q');
    git(app, 'add', '-A');
    git(app, 'commit', '-qm', 'generated');
    const clone = join(scratchDir('doctor-crlf-clone'), 'app');
    git(app, '-c', 'core.autocrlf=true', 'clone', '-q', app, clone);

    const report = JSON.parse(runCli(['doctor', '--json'], { cwd: clone }).stdout) as { checks: { findings: { message: string }[] }[] };
    const edited = report.checks.flatMap((check) => check.findings).filter((finding) => finding.message.includes('differs from what was generated'));
    expect(edited).toEqual([]);
  });

  it('reports the <file>.new that add --conflict new leaves beside an edited file', () => {
    const app = generateApp(scratchDir('doctor-pending'), 'app', ['--pattern', 'http-api']);
    const bicep = join(app, 'infra/main.bicep');
    writeFileSync(bicep, moveAppSettingsIntoVariable(readFileSync(bicep, 'utf8')));
    expect(runCli(['add', 'scheduled-tasks', '--yes', '--no-install', '--conflict', 'new'], { cwd: app }).status).toBe(0);

    const result = runCli(['doctor', '--json'], { cwd: app });
    expect(result.status).toBe(6);
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string; findings: { file: string }[] }[] };
    expect(report.checks.find((check) => check.id === 'pending-merges')).toMatchObject({ status: 'error', findings: [{ file: 'infra/main.bicep.new' }] });
  });

  it('from a subfolder of the app, checks the app, as add finds it from there', () => {
    const result = runCli(['doctor'], { cwd: join(dir, 'src/functions') });
    expect(result.stdout).toContain(`Checking ${dir}\n`);
    expect(result.stdout).toContain('✔ package.json "main" matches every compiled function');
  });

  it('in a fresh pnpm app, says pnpm install writes its lockfile', () => {
    const app = generateApp(scratchDir('doctor-pnpm'), 'app', ['--pattern', 'http-api', '--package-manager', 'pnpm']);
    const report = JSON.parse(runCli(['doctor', '--json'], { cwd: app }).stdout) as { checks: { id: string; skipped?: string }[] };
    expect(report.checks.find((check) => check.id === 'lockfile-sync')!.skipped).toBe('the project has no lockfile yet (pnpm install writes pnpm-lock.yaml)');
  });

  it('exits 2, in one line, when given a file instead of the project folder', () => {
    const result = runCli(['doctor', 'package.json', '--json'], { cwd: dir });
    expect(result.status).toBe(2);
    const message = 'doctor package.json: not a folder (give the project folder, or a folder inside it)';
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, error: { code: 2, message, details: [] } });
    expect(result.stderr).toBe(`✖ ${message}\n`);
  });

  it('exits 2 outside a Functions project', () => {
    const result = runCli(['doctor', scratchDir('doctor-empty')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('not an Azure Functions project');
  });
});
