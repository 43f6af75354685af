import { loadAnswersFile } from '../engine/answers-file.js';
import { detectPackageManager, type PackageManager } from '../engine/package-manager.js';
import { createLogger } from '../logger.js';
import { inquirerPrompter, promptOutput } from '../prompts.js';
import { createApp, type CreateOptions } from './create.js';

/** Wires the create pipeline to the real terminal (or, with --json, to a machine reading stdout). */
export async function runCreateCommand(
  options: Omit<CreateOptions, 'answersFile' | 'packageManager'> & { answersPath?: string; json: boolean; packageManager?: PackageManager },
): Promise<void> {
  const interactive = canAsk() && !options.json;
  const answersFile = options.answersPath === undefined ? undefined : await loadAnswersFile(options.answersPath);
  // Flag, else the package manager of the app whose manifest is replayed, else the one that launched us.
  const packageManager = options.packageManager ?? answersFile?.packageManager ?? detectPackageManager(process.env.npm_config_user_agent);
  const outcome = await createApp(
    { ...options, answersFile, packageManager },
    { interactive, prompter: inquirerPrompter(), logger: createLogger({ json: options.json, questions: interactive && !options.yes ? promptOutput() : undefined }), cwd: process.cwd() },
  );
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: true, ...outcome }, null, 2)}\n`);
}

/**
 * Whether a person can answer prompts here: a terminal to type in and one to show the question on (stdout or
 * stderr), not a pipeline, and not a dumb terminal (Emacs' shell), where prompts that redraw themselves with cursor
 * codes would print as garbage.
 */
export function canAsk(): boolean {
  return process.stdin.isTTY === true && promptOutput() !== undefined && !isCI() && process.env.TERM !== 'dumb';
}

/** CI=true (or 1) means a pipeline, even when a pseudo-terminal is attached. */
export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
