import { ValidationError } from '../exit-codes.js';
import type { JsonValue, OptionSpec } from './types.js';

/** A free-text option asked with an input prompt and shown as typed; `parse` does all the validation. */
export function textOption<T extends JsonValue>(flag: string, description: string, defaultValue: T, parse: (input: unknown) => T): OptionSpec<T> {
  return { flag, description, defaultValue, parse, format: (value) => String(value), prompt: { kind: 'input' } };
}

/** A choice among fixed values; the message lists them so a typo is fixed in one go. */
export function choiceOption<T extends string>(
  flag: string,
  description: string,
  values: readonly T[],
  defaultValue: T,
  labels: Record<T, string>,
): OptionSpec<T> {
  return {
    flag,
    description,
    defaultValue,
    parse(input) {
      const value = typeof input === 'string' ? input.trim().toLowerCase() : input;
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
        throw new ValidationError(`unknown value ${JSON.stringify(input)}; expected one of ${values.join(', ')}`);
      }
      return value as T;
    },
    format: (value) => value,
    prompt: { kind: 'select', choices: values.map((value) => ({ value, name: labels[value] })) },
  };
}
