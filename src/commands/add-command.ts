import { createLogger } from '../logger.js';
import { inquirerPrompter, promptOutput } from '../prompts.js';
import { addPatterns, resultDocument, type AddOptions } from './add.js';
import { canAsk } from './create-command.js';

/** Wires the add pipeline to the real terminal (or, with --json, to a machine reading stdout). */
export async function runAddCommand(options: AddOptions & { json: boolean }): Promise<void> {
  const interactive = canAsk() && !options.json;
  const logger = createLogger({ json: options.json, questions: interactive && !options.yes ? promptOutput() : undefined });
  const result = await addPatterns(options, { interactive, prompter: inquirerPrompter(), logger, cwd: process.cwd() });
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: true, ...resultDocument(result, options.dryRun) }, null, 2)}\n`);
}
