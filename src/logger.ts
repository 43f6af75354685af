import type { PostStepResult } from './engine/post-steps.js';

/**
 * Where human-readable output goes. With `--json` everything human goes to stderr so stdout carries
 * only the machine-readable result.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /**
   * What a person reads to answer the question after it (create's summary, add's plan and diffs): drawn with the
   * questions, on stderr when stdout goes to a file, where it left the question about what it showed on its own.
   */
  show(message: string): void;
  /** Runs a long step behind a spinner (when stderr is a terminal) and reports how it went; `interrupted` is Ctrl-C. */
  task(label: string, work: () => Promise<unknown>, step: PostStepResult['step'], interrupted: AbortSignal): Promise<PostStepResult>;
}

/** `questions`: where the questions are drawn, when the run asks any. */
export function createLogger(options: { json: boolean; questions?: NodeJS.WriteStream }): Logger {
  const out = options.json ? process.stderr : process.stdout;
  return {
    info: (message) => out.write(`${message}\n`),
    show: (message) => (options.questions ?? out).write(`${message}\n`),
    warn: (message) => process.stderr.write(`${message}\n`),
    async task(label, work, step, interrupted) {
      const { default: ora } = await import('ora');
      const spinner = ora({ text: label, stream: process.stderr, isEnabled: !options.json && canAnimate(process.stderr) });
      spinner.start();
      // A package manager can take seconds to stop: say at once that the Ctrl-C came.
      interrupted.addEventListener('abort', () => (spinner.text = `${label}: stopping (Ctrl-C)…`), { once: true });
      try {
        await work();
        spinner.succeed();
        return { step, status: 'done' };
      } catch (error) {
        if (interrupted.aborted) {
          spinner.fail(`${label}: interrupted`);
          return { step, status: 'interrupted', detail: 'interrupted (Ctrl-C)' };
        }
        const detail = failureDetail(error);
        spinner.fail(`${label} failed: ${detail}`);
        return { step, status: 'failed', detail };
      }
    },
  };
}

/**
 * A spinner redraws itself with cursor codes: only in a terminal that has a width, and is not a dumb one (TERM=dumb),
 * which shows the codes as text. In a pseudo-terminal of 0 columns (`script`, `docker exec -t` or a CI runner that
 * opens one without a size), ora counted Infinity lines to clear, and the CLI hung printing cursor codes.
 */
function canAnimate(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && stream.columns > 0 && process.env.TERM !== 'dumb';
}

/**
 * One line on why a step failed: that its command is missing, or the command's own error line (yarn refusing an
 * engine, npm's ERESOLVE, git's fatal) after execa's "Command failed with exit code 1".
 */
function failureDetail(error: unknown): string {
  const failure = error as { code?: unknown; command?: unknown; shortMessage?: unknown; stderr?: unknown };
  if (failure.code === 'ENOENT' && typeof failure.command === 'string') {
    return `${failure.command.split(' ')[0]} is not installed or not on the PATH (${failure.command})`;
  }
  const message = typeof failure.shortMessage === 'string' ? failure.shortMessage : error instanceof Error ? error.message : String(error);
  const summary = message.split('\n')[0] ?? message;
  const stderrLines = typeof failure.stderr === 'string' ? failure.stderr.split('\n').map((line) => line.trim()) : [];
  // npm's first error line names only a code ("npm error code ERESOLVE"); the next one says what went wrong.
  const cause = stderrLines.find((line) => /\berror\b|ERR_|ERR!|^fatal:/i.test(line) && !/\berror code \S+$/i.test(line));
  return cause ? `${summary}: ${cause}` : summary;
}
