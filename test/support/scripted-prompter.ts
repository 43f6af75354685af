import type { Choice, Prompter } from '../../src/prompts.js';

type Answer = string | string[] | boolean | ((question: Question) => string | string[] | boolean);

export interface Question {
  kind: 'input' | 'select' | 'checkbox' | 'confirm';
  message: string;
  default?: unknown;
  choices?: readonly Choice[];
  validate?: (value: never) => string | true;
}

/**
 * More questions than any questionnaire asks: a script whose answers make the questions come round again (a rule
 * answering a confirmation meant for another) fails here, instead of looping until the heap runs out.
 */
const MAX_QUESTIONS = 500;

/**
 * A Prompter that answers from a script: the first rule whose pattern matches the question's message
 * answers it; `undefined` takes the question's default. Every question asked is recorded.
 */
export function scriptedPrompter(script: [RegExp, Answer | undefined][]): Prompter & { asked: Question[] } {
  const asked: Question[] = [];
  const answer = (question: Question) => {
    if (asked.length >= MAX_QUESTIONS) throw new Error(`more than ${MAX_QUESTIONS} questions, the last: ${question.message}`);
    asked.push(question);
    const rule = script.find(([pattern]) => pattern.test(question.message));
    if (!rule) throw new Error(`unexpected question: ${question.message}`);
    const value = rule[1];
    const resolved = typeof value === 'function' ? value(question) : value === undefined ? question.default : value;
    if (question.validate) {
      const verdict = question.validate(resolved as never);
      if (verdict !== true) throw new Error(`scripted answer ${JSON.stringify(resolved)} rejected by validation: ${verdict}`);
    }
    return resolved;
  };
  return {
    asked,
    input: async (q) => answer({ kind: 'input', ...q }) as string,
    select: async (q) => answer({ kind: 'select', ...q }) as string,
    checkbox: async (q) => answer({ kind: 'checkbox', ...q }) as string[],
    confirm: async (q) => answer({ kind: 'confirm', ...q }) as boolean,
  };
}
