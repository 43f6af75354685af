import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { defaultPlan } from '../support/subsets.js';

interface Workflow {
  concurrency: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, { steps: { name?: string; run?: string; uses?: string; with?: Record<string, unknown> }[] }>;
}

const workflow = parse(readTree(renderPlan(defaultPlan(['http-api'])), '.github/workflows/azure-dev.yml')) as Workflow;
const installScript = workflow.jobs.test!.steps.find((step) => step.name === 'Install dependencies')!.run!;

/** Runs the install step as GitHub does (bash -e) in a checkout holding `lockfile`, with stand-ins for the tools. */
function installCommand(lockfile: string | undefined): string {
  return commandsRun(installScript, lockfile);
}

/** Runs `script` as GitHub does (bash -e) in a checkout holding `lockfile` and `files`; returns the tool commands it ran. */
function commandsRun(script: string, lockfile: string | undefined, files: string[] = []): string {
  const checkout = mkdtempSync(join(tmpdir(), 'csa-workflow-'));
  for (const file of files) {
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    writeFileSync(join(checkout, file), '');
  }
  const bin = join(checkout, '.bin');
  mkdirSync(bin);
  for (const tool of ['npm', 'npx', 'yarn', 'az']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> "${join(checkout, 'ran.txt')}"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  if (lockfile) writeFileSync(join(checkout, lockfile), '');
  const result = spawnSync('bash', ['-e', '-c', script], { cwd: checkout, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  expect(result.status, result.stderr).toBe(0);
  return existsSync(join(checkout, 'ran.txt')) ? readFileSync(join(checkout, 'ran.txt'), 'utf8').trim() : '';
}

/** Whether a newer run in the same concurrency group cancels a run started by `eventName`, as GitHub evaluates it. */
function cancelsInProgress(eventName: string): boolean {
  const value = workflow.concurrency['cancel-in-progress'];
  if (typeof value === 'boolean') return value;
  const comparison = /^\$\{\{ github\.event_name == '([a-z_]+)' \}\}$/.exec(value);
  expect(comparison, `an expression this test does not evaluate: ${value}`).not.toBeNull();
  return comparison![1] === eventName;
}

describe('generated workflow', () => {
  // cancel-in-progress: true cancelled a run on main when the next commit landed, its deploy job half-way
  // through `azd provision` or `azd deploy`.
  it('lets a newer commit cancel a pull request run, but never a run on main, which deploys', () => {
    expect(workflow.concurrency.group).toBe('${{ github.workflow }}-${{ github.ref }}');
    expect(cancelsInProgress('pull_request')).toBe(true);
    expect(cancelsInProgress('push')).toBe(false);
    expect(cancelsInProgress('workflow_dispatch')).toBe(false);
  });

  // An app created with `pnpm create` has no package-lock.json: `npm ci` refused to install it. Nor has an app
  // created with --no-install whose user never committed the lockfile: `npm ci` refused that too.
  it.each([
    ['package-lock.json', 'npm ci'],
    [undefined, 'npm install'],
    ['pnpm-lock.yaml', 'npx --yes pnpm@10 install --frozen-lockfile'],
    ['yarn.lock', 'yarn install --frozen-lockfile'],
    ['bun.lock', 'npx --yes bun install --frozen-lockfile'],
    ['bun.lockb', 'npx --yes bun install --frozen-lockfile'],
  ])('installs with the package manager of the committed lockfile (%s)', (lockfile, command) => {
    expect(installCommand(lockfile)).toBe(command);
  });

  // azd deploy installs the dependencies with the package manager of the committed lockfile, then builds: for an
  // app created with `pnpm create` it ran pnpm, which the runner does not have, and the deploy failed.
  it.each([
    ['package-lock.json', ''],
    [undefined, ''],
    ['pnpm-lock.yaml', 'npm install --global pnpm@10'],
    ['yarn.lock', ''],
    ['bun.lock', ''],
  ])('gives azd deploy Node.js 22 and the package manager it runs (%s)', (lockfile, command) => {
    const steps = workflow.jobs.deploy!.steps;
    const position = (match: (step: (typeof steps)[number]) => boolean) => steps.findIndex(match);
    const setupNode = position((step) => step.uses === 'actions/setup-node@v4');
    const packageManager = position((step) => step.name === 'Install the package manager azd runs');
    expect(steps[setupNode]?.with?.['node-version']).toBe(22);
    expect(setupNode).toBeLessThan(packageManager);
    expect(packageManager).toBeLessThan(position((step) => step.run === 'azd deploy --no-prompt'));
    expect(commandsRun(steps[packageManager]!.run!, lockfile)).toBe(command);
  });

  // Only infra/main.bicep was compiled and linted: a template the postdeploy hook deploys failed after the code
  // was already deployed.
  it.each([
    [['infra/main.bicep', 'infra/modules/storage.bicep'], ['infra/main.bicep']],
    [['infra/main.bicep', 'infra/hooks/postdeploy.mjs', 'infra/hooks/b.bicep', 'infra/hooks/a.bicep'], ['infra/main.bicep', 'infra/hooks/a.bicep', 'infra/hooks/b.bicep']],
  ])('compiles and lints infra/main.bicep and every template in infra/hooks (%j)', (files, linted) => {
    const step = workflow.jobs.infra!.steps.find((candidate) => candidate.name?.startsWith('Compile and lint the Bicep'))!;
    const expected = ['az bicep install', ...linted.flatMap((file) => [`az bicep build --file ${file} --stdout`, `az bicep lint --file ${file}`])];
    expect(commandsRun(step.run!, undefined, files).split('\n')).toEqual(expected);
  });
});
