import { ExitCode, UserError } from './exit-codes.js';

export interface Choice {
  value: string;
  name: string;
  description?: string;
}

/** The questions the CLI can ask. Tests inject answers through this interface; the CLI uses inquirer. */
export interface Prompter {
  input(question: { message: string; default?: string; validate: (value: string) => string | true }): Promise<string>;
  select(question: { message: string; choices: readonly Choice[]; default?: string }): Promise<string>;
  checkbox(question: {
    message: string;
    choices: readonly Choice[];
    default?: readonly string[];
    validate: (values: readonly string[]) => string | true;
  }): Promise<string[]>;
  confirm(question: { message: string; default: boolean }): Promise<boolean>;
}

/**
 * The terminal questions are drawn on: stdout, else stderr. With stdout in a file (`> log.txt`) they went into the
 * file, and the CLI waited for an answer to a question nobody saw; the file keeps what the CLI logs.
 */
export function promptOutput(): NodeJS.WriteStream | undefined {
  return [process.stdout, process.stderr].find((stream) => stream.isTTY === true);
}

/** Inquirer, loaded only when a question is actually asked (keeps `--help` fast). */
export function inquirerPrompter(): Prompter {
  const prompts = () => import('@inquirer/prompts');
  const output = promptOutput() ?? process.stdout;
  const context = { output };
  return {
    input: (q) => interruptible(async () => (await prompts()).input({ message: q.message, default: q.default, validate: q.validate }, context)),
    select: (q) =>
      interruptible(async () =>
        (await prompts()).select({ message: q.message, choices: [...q.choices], default: q.default, pageSize: await pageSize(q.choices, output) }, context),
      ),
    checkbox: (q) =>
      interruptible(async () =>
        (await prompts()).checkbox(
          {
            message: q.message,
            pageSize: await pageSize(q.choices, output),
            choices: q.choices.map((choice) => ({ ...choice, short: choice.value, checked: q.default?.includes(choice.value) ?? false })),
            validate: (items) => q.validate(items.map((item) => item.value)),
          },
          context,
        ),
      ),
    confirm: (q) => interruptible(async () => (await prompts()).confirm({ message: q.message, default: q.default }, context)),
  };
}

function pageSize(choices: readonly Choice[], output: NodeJS.WriteStream): Promise<number> {
  return choicesPageSize(
    choices.map((choice) => choice.name),
    { columns: output.columns || 80, rows: output.rows || 24 },
  );
}

/**
 * How many lines of choices a list shows. Inquirer pages by lines, 7 by default, and a choice that wraps takes
 * several: at 40 columns the pattern list showed 3 of its 4 patterns. Every choice fits, as far as the terminal
 * leaves room beside the question, the active choice's description and the key help.
 */
export async function choicesPageSize(names: readonly string[], terminal: { columns: number; rows: number }): Promise<number> {
  const { default: wrapAnsi } = await import('wrap-ansi');
  // Each choice is drawn after a cursor and a box: `❯◯ HTTP API — …`.
  const lines = names.reduce((sum, name) => sum + wrapAnsi(`❯◯ ${name}`, terminal.columns, { hard: true, trim: false }).split('\n').length, 0);
  return Math.max(7, Math.min(lines, terminal.rows - 8));
}

/** Ctrl-C inside a prompt becomes exit code 130 with one line, before anything was written. */
async function interruptible<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new UserError('interrupted; nothing was written', ExitCode.Interrupted);
    }
    throw error;
  }
}
