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

/** One run of `args` in the scratch folder, in milliseconds of wall time. */
function timeOnce(label, args, i) {
  // Relative to the scratch folder: create-vite joins even an absolute target onto its working directory.
  const target = `${label.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-${i}`;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args(target), { cwd: scratch, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`${label} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Median wall time of each command over `runs` rounds, after one warm-up round. The commands alternate within
 * a round, so a busy machine slows both sides of a ratio alike.
 */
function timeInRounds(commands) {
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i <= runs; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const ms = timeOnce(name, args, i);
      if (i > 0) samples[name].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, list.sort((a, b) => a - b)[Math.floor(list.length / 2)]]));
}

let results;
try {
  results = timeInRounds({
    viteGenerate: (target) => [vite, target, '--template', 'vanilla-ts', '--no-interactive', '--no-immediate'],
    oursGenerate: (target) => [ours, target, '--pattern', 'http-api,event-processing,scheduled-tasks,data-processing', '--yes', '--no-install', '--no-git'],
    viteHelp: () => [vite, '--help'],
    oursHelp: () => [ours, '--help'],
  });
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
