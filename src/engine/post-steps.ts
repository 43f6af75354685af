import type { Logger } from '../logger.js';
import type { PackageManager } from './package-manager.js';
import { packageManagerCommands } from './package-manager.js';

export interface PostStepOptions {
  targetDir: string;
  git: boolean;
  install: boolean;
  packageManager: PackageManager;
}

export type PostStepResult = { step: 'git' | 'install'; status: 'done' | 'skipped' | 'failed' | 'interrupted'; detail?: string };

/** Ctrl-C, and what a terminal or CI runner sends to stop a job. */
const INTERRUPTS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `work` (the write and the post-steps) with Ctrl-C and SIGTERM handled instead of fatal: they abort the
 * signal `work` gets. The write is synchronous, so a signal that arrives in the middle of it is handled only once
 * every file is written (or rolled back): Node's default would end the process there, leaving half a project.
 */
export async function whileInterruptible<T>(work: (interrupted: AbortSignal) => Promise<T>): Promise<T> {
  const interruption = new AbortController();
  const interrupt = () => interruption.abort();
  // While a spinner runs, the terminal is raw and Ctrl-C reaches us as this event, not as a signal to npm.
  for (const signal of INTERRUPTS) process.on(signal, interrupt);
  // A write past a file size limit (ulimit -f) raises SIGXFSZ as well as failing with EFBIG. Node ignores the signal
  // at start, but a process spawned through execa (add's git status) leaves it at its default action when done,
  // which ended the CLI half-way through the write, nothing rolled back. Listened to, the write just fails.
  process.on('SIGXFSZ', writeFailsInstead);
  try {
    return await work(interruption.signal);
  } finally {
    for (const signal of INTERRUPTS) process.off(signal, interrupt);
    process.off('SIGXFSZ', writeFailsInstead);
  }
}

function writeFailsInstead(): void {}

/**
 * Side effects that run only after every file is written: the install first, then git, so that the first commit
 * holds the lockfile the install wrote (the generated workflow installs with `npm ci`, which needs it). A failing
 * step is reported, never rolled back: the files are fine, and git still records them when the install failed.
 * Ctrl-C stops the running step's process (it would go on installing after we exit) and starts no other.
 */
export async function runPostSteps(options: PostStepOptions, logger: Logger, interrupted: AbortSignal): Promise<PostStepResult[]> {
  await deliverPendingSignals();
  return runSteps(options, logger, interrupted);
}

/**
 * A signal caught during synchronous work (the write) reaches its handler in the event loop's poll phase: pass
 * through one, between two check phases, so that `interrupted` tells whether it came.
 */
export async function deliverPendingSignals(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

async function runSteps(options: PostStepOptions, logger: Logger, interrupted: AbortSignal): Promise<PostStepResult[]> {
  const results: PostStepResult[] = [];
  // execa is large: load it only when a step really runs (never with --no-git --no-install).
  const run = async (file: string, args: string[]) => {
    const { execa } = await import('execa');
    return execa(file, args, { cwd: options.targetDir, stdin: 'ignore', cancelSignal: interrupted });
  };

  if (!options.install) {
    results.push({ step: 'install', status: 'skipped', detail: '--no-install' });
  } else if (interrupted.aborted) {
    results.push({ step: 'install', status: 'interrupted', detail: 'not started: interrupted' });
  } else {
    const [file, ...args] = packageManagerCommands(options.packageManager).install;
    results.push(await logger.task(`Installing dependencies with ${options.packageManager}`, () => run(file!, args), 'install', interrupted));
  }

  if (!options.git) {
    results.push({ step: 'git', status: 'skipped', detail: '--no-git' });
  } else if (interrupted.aborted) {
    results.push({ step: 'git', status: 'interrupted', detail: 'not started: interrupted' });
  } else if ((await run('git', ['rev-parse', '--is-inside-work-tree']).catch(() => undefined))?.stdout === 'true') {
    results.push({ step: 'git', status: 'skipped', detail: 'already inside a git repository' });
  } else {
    results.push(
      await logger.task('Initialising a git repository', async () => {
        await run('git', ['init', '--quiet']);
        await run('git', ['add', '--all']);
        // A machine without a git identity still gets its first commit; the user's own identity wins when set.
        const identity = (await run('git', ['config', 'user.email']).catch(() => undefined))?.stdout
          ? []
          : ['-c', 'user.name=create-serverless-app', '-c', 'user.email=create-serverless-app@users.noreply.github.com'];
        await run('git', [...identity, 'commit', '--quiet', '--no-verify', '-m', 'Initial commit from create-serverless-app']);
      }, 'git', interrupted),
    );
  }
  return results;
}
