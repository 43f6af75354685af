import { createLogger } from '../logger.js';
import { inquirerPrompter } from '../prompts.js';
import { createApp, type CreateOptions } from './create.js';

/** Wires the create pipeline to the real terminal. */
export async function runCreateCommand(options: CreateOptions): Promise<void> {
  const interactive = process.stdin.isTTY === true && !isCI();
  await createApp(options, { interactive, prompter: inquirerPrompter(), logger: createLogger({ json: false }), cwd: process.cwd() });
}

/** CI=true (or 1) means a pipeline, even when a pseudo-terminal is attached. */
export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
