import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { builtinModules } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect } from 'vitest';
import { scratchDir } from './scratch.js';

export { scratchDir };

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO_ROOT, 'bin/create-serverless-app.js');

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Runs the built CLI the way a pipeline does: no TTY, CI=true unless the caller overrides it.
 * Tests spawn the real binary so that argument parsing, exit codes and output are what users get.
 */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, durationMs: performance.now() - started };
}

/** Generates an app with `--yes --no-install --no-git` and returns its directory. */
export function generateApp(parent: string, name: string, args: readonly string[]): string {
  const result = runCli([name, '--yes', '--no-install', '--no-git', ...args], { cwd: parent });
  if (result.status !== 0) throw new Error(`generating ${name} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
  return join(parent, name);
}

/**
 * Runs a command inside a generated app and rejects with its output when it fails. Asynchronous on purpose:
 * a synchronous spawn of a minutes-long `npm install` blocks the test worker, and vitest then loses contact
 * with it ("Timeout calling onTaskUpdate").
 */
export function runIn(dir: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} failed in ${dir} (exit ${code}):\n${output.slice(-8000)}`));
    });
  });
}

/**
 * Runs an npm script of a generated app (its tests) as CI does, with a temporary folder of its own: what the script
 * leaves there fails the test, since a developer's every `npm test` would leave it in theirs.
 */
export async function runAppScript(dir: string, args: readonly string[]): Promise<string> {
  const tmp = scratchDir('e2e-app-tmp');
  const output = await runIn(dir, 'npm', args, { env: { ...process.env, CI: 'true', NO_COLOR: '1', TMPDIR: tmp } });
  expect(readdirSync(tmp), `left in the temporary folder by npm ${args.join(' ')}`).toEqual([]);
  return output;
}

/** What test/support/load-functions.mjs reports about loading a built app's function modules. */
export interface FunctionsLoad {
  registeredBy: Record<string, number>;
  functions: string[];
  programmingModels: number;
  importMs: number;
  esmFiles: number;
  commonJsFiles: number;
}

/** Loads the built function modules as the host would (see load-functions.mjs), `runs` times for the timing. */
export async function loadFunctions(dir: string, runs: number, main?: string): Promise<FunctionsLoad> {
  const script = fileURLToPath(new URL('./load-functions.mjs', import.meta.url));
  const output = await runIn(dir, process.execPath, [script, dir, String(runs), ...(main ? [main] : [])]);
  return JSON.parse(output.trim().split('\n').at(-1)!) as FunctionsLoad;
}

const depsCache = join(tmpdir(), 'csa-e2e-node-modules');

/**
 * `npm install` in a generated app, once per distinct dependency set: apps whose package.json declares the
 * same dependencies get a hard-linked copy of the first install's node_modules. `assertImportsDeclared`
 * keeps that honest: an app cannot pass by importing a package only another app declared.
 */
export async function installApp(dir: string): Promise<{ cached: boolean }> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const key = createHash('sha256')
    .update(JSON.stringify([manifest.dependencies, manifest.devDependencies]))
    .digest('hex')
    .slice(0, 16);
  const cached = join(depsCache, key, 'node_modules');
  if (existsSync(cached)) {
    await runIn(dir, 'cp', ['-al', cached, join(dir, 'node_modules')]);
    return { cached: true };
  }
  await runIn(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  mkdirSync(join(depsCache, key), { recursive: true });
  // Copied beside it, then renamed into place: another test file installing the same set at once must never find a
  // half-copied node_modules. If that one was first, its copy stays and this one goes.
  const staging = `${cached}.${process.pid}.${randomUUID()}`;
  await runIn(dir, 'cp', ['-al', join(dir, 'node_modules'), staging]);
  try {
    renameSync(staging, cached);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return { cached: false };
}

/** Every bare import in src/ and test/ names a package in package.json (or a Node built-in). */
export function assertImportsDeclared(dir: string): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
  const undeclared: string[] = [];
  for (const file of sourceFiles(dir)) {
    // TypeScript's own scan of import, export … from, import() and require(): `Buffer.from('a')` is none of them.
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      if (!declared.has(name)) undeclared.push(`${relative(dir, file)}: ${specifier}`);
    }
  }
  if (undeclared.length > 0) throw new Error(`imports of packages missing from package.json:\n${undeclared.join('\n')}`);
}

function sourceFiles(dir: string): string[] {
  const roots = ['src', 'test'].map((folder) => join(dir, folder)).filter((path) => existsSync(path));
  const files = roots.flatMap((root) =>
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => join(entry.parentPath, entry.name)),
  );
  return [...files, join(dir, 'vitest.config.ts')];
}
