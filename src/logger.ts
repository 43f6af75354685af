import type { PostStepResult } from './engine/post-steps.js';

/**
 * Where human-readable output goes. With `--json` everything human goes to stderr so stdout carries
 * only the machine-readable result.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Runs a long step behind a spinner (when stderr is a terminal) and reports how it went; `interrupted` is Ctrl-C. */
  task(label: string, work: () => Promise<unknown>, step: PostStepResult['step'], interrupted: AbortSignal): Promise<PostStepResult>;
}

export function createLogger(options: { json: boolean }): Logger {
  const out = options.json ? process.stderr : process.stdout;
  return {
    info: (message) => out.write(`${message}\n`),
    warn: (message) => process.stderr.write(`${message}\n`),
    async task(label, work, step, interrupted) {
      const { default: ora } = await import('ora');
      const spinner = ora({ text: label, stream: process.stderr, isEnabled: process.stderr.isTTY === true && !options.json });
      spinner.start();
      try {
        await work();
        spinner.succeed();
        return { step, status: 'done' };
      } catch (error) {
        if (interrupted.aborted) {
          spinner.fail(`${label}: interrupted`);
          return { step, status: 'interrupted', detail: 'interrupted (Ctrl-C)' };
        }
        const detail = firstLine(error);
        spinner.fail(`${label} failed: ${detail}`);
        return { step, status: 'failed', detail };
      }
    },
  };
}

function firstLine(error: unknown): string {
  const message = (error as { shortMessage?: string }).shortMessage ?? (error instanceof Error ? error.message : String(error));
  return message.split('\n')[0] ?? message;
}
