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

/** Inquirer, loaded only when a question is actually asked (keeps `--help` fast). */
export function inquirerPrompter(): Prompter {
  const prompts = () => import('@inquirer/prompts');
  return {
    input: (q) => interruptible(async () => (await prompts()).input({ message: q.message, default: q.default, validate: q.validate })),
    select: (q) => interruptible(async () => (await prompts()).select({ message: q.message, choices: [...q.choices], default: q.default })),
    checkbox: (q) =>
      interruptible(async () =>
        (await prompts()).checkbox({
          message: q.message,
          choices: q.choices.map((choice) => ({ ...choice, short: choice.value, checked: q.default?.includes(choice.value) ?? false })),
          validate: (items) => q.validate(items.map((item) => item.value)),
        }),
      ),
    confirm: (q) => interruptible(async () => (await prompts()).confirm({ message: q.message, default: q.default })),
  };
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
