#!/usr/bin/env node
// Times, in one run on one machine: create-vite scaffolding its vanilla-ts template vs this CLI generating
// the four-pattern app with --no-install --no-git, and both --help. Prints medians and ratios.
//   npm run bench            (RUNS=15 npm run bench for more samples)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CREATE_VITE_VERSION = '9.3.0';
const runs = Number(process.env.RUNS ?? 11);
const ours = join(root, 'bin/create-serverless-app.js');

const viteDir = join(root, '.tools/bench');
const vite = join(viteDir, 'node_modules/create-vite/index.js');
if (!existsSync(vite)) {
  mkdirSync(viteDir, { recursive: true });
  execFileSync('npm', ['install', '--prefix', viteDir, '--no-audit', '--no-fund', '--no-save', `create-vite@${CREATE_VITE_VERSION}`], { stdio: 'inherit' });
}

const scratch = mkdtempSync(join(tmpdir(), 'csa-bench-'));
const env = { ...process.env, CI: 'true' };

/** Median wall time of `runs` runs, after one warm-up; each run gets a fresh target folder. */
function time(label, args) {
  const samples = [];
  for (let i = 0; i <= runs; i++) {
    // Relative to the scratch folder: create-vite joins even an absolute target onto its working directory.
    const target = `${label.replace(/\W+/g, '-')}-${i}`;
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args(target), { cwd: scratch, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${label} failed: ${result.stderr}`);
    if (i > 0) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

let results;
try {
  results = {
    viteGenerate: time('create-vite generate', (target) => [vite, target, '--template', 'vanilla-ts', '--no-interactive', '--no-immediate']),
    oursGenerate: time('create-serverless-app generate', (target) => [ours, target, '--pattern', 'http-api,event-processing,scheduled-tasks,data-processing', '--yes', '--no-install', '--no-git']),
    viteHelp: time('create-vite --help', () => [vite, '--help']),
    oursHelp: time('create-serverless-app --help', () => [ours, '--help']),
  };
} finally {
  // A failed run must not leave generated projects behind either.
  rmSync(scratch, { recursive: true, force: true });
}

const row = (name, a, b) => `${name.padEnd(34)} ${a.toFixed(0).padStart(6)} ms ${b.toFixed(0).padStart(6)} ms ${(b / a).toFixed(2).padStart(6)}×`;
console.log(`node ${process.version}, ${runs} runs each, median wall time\n`);
console.log(`${''.padEnd(34)} ${'create-vite'.padStart(9)} ${'ours'.padStart(9)} ${'ratio'.padStart(7)}`);
console.log(row('generate (4 patterns vs vanilla-ts)', results.viteGenerate, results.oursGenerate));
console.log(row('--help', results.viteHelp, results.oursHelp));
console.log('\ntargets: generate ≤ 1.5×, --help ≤ 1.3×');
