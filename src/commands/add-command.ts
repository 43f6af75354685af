import { createLogger } from '../logger.js';
import { inquirerPrompter } from '../prompts.js';
import { addPatterns, type AddOptions } from './add.js';
import { canAsk } from './create-command.js';

/** Wires the add pipeline to the real terminal. */
export async function runAddCommand(options: AddOptions): Promise<void> {
  const interactive = canAsk();
  await addPatterns(options, { interactive, prompter: inquirerPrompter(), logger: createLogger({ json: false }), cwd: process.cwd() });
}
