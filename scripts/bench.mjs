#!/usr/bin/env node
// Times, in one run on one machine: create-vite scaffolding its vanilla-ts template vs this CLI generating
// the four-pattern app with --no-install --no-git, and both --help. Prints medians and ratios.
//   npm run bench            (RUNS=15 npm run bench for more samples)
// Projects are generated in the system's temporary folder and, where there is one, in /dev/shm too: how long
// creating a file takes depends on the file system and its state (see the README's performance section), and
// this CLI creates ~160 files where create-vite creates 13.
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
const memoryScratch = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/csa-bench-') : undefined;
// Node 20 reads and parses the whole NODE_EXTRA_CA_CERTS bundle as it starts (Node 22 waits for the first TLS
// connection): ~70 ms on this machine, whose environment points it at the system's bundle. Neither command makes a
// TLS connection, so it would only add the same constant to both sides of each ratio.
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...inherited } = process.env;
const env = { ...inherited, CI: 'true' };

/** One run of `args` in `cwd`, in milliseconds of wall time. */
function timeOnce(label, { args, cwd = scratch }, i) {
  // Relative to the scratch folder: create-vite joins even an absolute target onto its working directory.
  const target = `${label.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-${i}`;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args(target), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
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
    for (const [name, command] of Object.entries(commands)) {
      const ms = timeOnce(name, command, i);
      if (i > 0) samples[name].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, list.sort((a, b) => a - b)[Math.floor(list.length / 2)]]));
}

const viteGenerate = (target) => [vite, target, '--template', 'vanilla-ts', '--no-interactive', '--no-immediate'];
const oursGenerate = (target) => [ours, target, '--pattern', 'http-api,event-processing,scheduled-tasks,data-processing', '--yes', '--no-install', '--no-git'];
let results;
try {
  results = timeInRounds({
    viteGenerate: { args: viteGenerate },
    oursGenerate: { args: oursGenerate },
    ...(memoryScratch && {
      viteGenerateInMemory: { args: viteGenerate, cwd: memoryScratch },
      oursGenerateInMemory: { args: oursGenerate, cwd: memoryScratch },
    }),
    viteHelp: { args: () => [vite, '--help'] },
    oursHelp: { args: () => [ours, '--help'] },
  });
} finally {
  // A failed run must not leave generated projects behind either.
  for (const dir of [scratch, memoryScratch]) if (dir) rmSync(dir, { recursive: true, force: true });
}

const row = (name, a, b) => `${name.padEnd(34)} ${a.toFixed(0).padStart(6)} ms ${b.toFixed(0).padStart(6)} ms ${(b / a).toFixed(2).padStart(6)}×`;
console.log(`node ${process.version}, ${runs} runs each, median wall time; generate: 4 patterns vs vanilla-ts`);
if (extraCaCerts) console.log('(NODE_EXTRA_CA_CERTS left out of the timed commands\' environment: see the comment above `env`)');
console.log();
console.log(`${''.padEnd(34)} ${'create-vite'.padStart(9)} ${'ours'.padStart(9)} ${'ratio'.padStart(7)}`);
console.log(row(`generate in ${tmpdir()}`, results.viteGenerate, results.oursGenerate));
if (memoryScratch) console.log(row('generate in /dev/shm (memory)', results.viteGenerateInMemory, results.oursGenerateInMemory));
console.log(row('--help', results.viteHelp, results.oursHelp));
console.log('\ntargets: generate ≤ 1.5×, --help ≤ 1.3×');
