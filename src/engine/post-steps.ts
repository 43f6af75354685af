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

/**
 * Side effects that run only after every file is written: git first (so the first commit is exactly
 * what we generated), then the install. A failing step is reported, never rolled back: the files are fine.
 * Ctrl-C stops the running step's process (it would go on installing after we exit) and starts no other.
 */
export async function runPostSteps(options: PostStepOptions, logger: Logger): Promise<PostStepResult[]> {
  const interruption = new AbortController();
  const interrupt = () => interruption.abort();
  // While a spinner runs, the terminal is raw and Ctrl-C reaches us as this event, not as a signal to npm.
  process.on('SIGINT', interrupt);
  try {
    return await runSteps(options, logger, interruption.signal);
  } finally {
    process.off('SIGINT', interrupt);
  }
}

async function runSteps(options: PostStepOptions, logger: Logger, interrupted: AbortSignal): Promise<PostStepResult[]> {
  const results: PostStepResult[] = [];
  // execa is large: load it only when a step really runs (never with --no-git --no-install).
  const run = async (file: string, args: string[]) => {
    const { execa } = await import('execa');
    return execa(file, args, { cwd: options.targetDir, stdin: 'ignore', cancelSignal: interrupted });
  };

  if (!options.git) {
    results.push({ step: 'git', status: 'skipped', detail: '--no-git' });
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

  if (!options.install) {
    results.push({ step: 'install', status: 'skipped', detail: '--no-install' });
  } else if (interrupted.aborted) {
    results.push({ step: 'install', status: 'skipped', detail: 'interrupted' });
  } else {
    const [file, ...args] = packageManagerCommands(options.packageManager).install;
    results.push(await logger.task(`Installing dependencies with ${options.packageManager}`, () => run(file!, args), 'install', interrupted));
  }
  return results;
}
