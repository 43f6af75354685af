import { ValidationError } from '../exit-codes.js';
import type { JsonValue, OptionSpec } from './types.js';

/** The flag alone, as errors name it: `--auth` of `--auth <mode>`. */
export function flagName(spec: Pick<OptionSpec, 'flag'>): string {
  return spec.flag.split(' ')[0]!;
}

/** The question the questionnaire asks for an option (after the pattern's title): its prompt's message, else its description. */
export function questionText(spec: Pick<OptionSpec, 'prompt' | 'description'>): string {
  return ('message' in spec.prompt && spec.prompt.message) || spec.description;
}

/**
 * The question as errors name an answer given at it, quoted: its text up to the first aside (`storage queue that
 * receives input messages` of `… messages (queue input)`), which tells the questions apart, as the flags do.
 */
export function questionName(spec: Pick<OptionSpec, 'prompt' | 'description'>): string {
  return `"${questionText(spec).split(/ \(|[:,;]/)[0]!.trim()}"`;
}

/** How every choice the CLI takes is compared (a mode, a source, a policy): trimmed, any case (`BLOB` is `blob`). */
export function choiceKey(input: unknown): string {
  return String(input ?? '').trim().toLowerCase();
}

/**
 * One value of an option as text, trimmed: a number reads as typed (YAML's `eventHubName: 2024`), but a list or a
 * mapping from an answers file is refused, which as text reads "[object Object]", or a one-item list as its item.
 */
export function oneValue(input: unknown, what: string): string {
  if (typeof input === 'object' && input !== null) throw new ValidationError(`${what} must be one value, not ${Array.isArray(input) ? 'a list' : 'a mapping'}`);
  return String(input ?? '').trim();
}

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
      const value = typeof input === 'string' ? choiceKey(input) : input;
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
        throw new ValidationError(`unknown value ${JSON.stringify(input)}; expected one of ${values.join(', ')}`);
      }
      return value as T;
    },
    format: (value) => value,
    prompt: { kind: 'select', choices: values.map((value) => ({ value, name: labels[value] })) },
  };
}

/** The suffix of the queue the Functions host moves a storage queue's poison messages to: a name leaves room for it. */
export const POISON_SUFFIX = '-poison';

/**
 * Blob container and queue names share Azure's rule: 3-63 characters, lowercase letters, digits and
 * hyphens, starting with a letter or digit, every hyphen between two letters or digits.
 * https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
 */
export function parseStorageName(input: unknown, what: 'container' | 'queue', maxLength = 63): string {
  if (typeof input !== 'string') throw new ValidationError(`a ${what} name must be text`);
  const name = input.trim();
  const problem =
    name.length < 3 || name.length > maxLength
      ? `must be 3 to ${maxLength} characters long`
      : /[^a-z0-9-]/.test(name)
        ? 'may contain only lowercase letters, digits and hyphens'
        : !/^[a-z0-9]/.test(name) || name.endsWith('-')
          ? 'must start and end with a letter or digit'
          : name.includes('--')
            ? 'must not contain consecutive hyphens'
            : undefined;
  if (problem) throw new ValidationError(`"${input}" is not a valid Azure ${what} name: it ${problem}`);
  if (isHostStorageName(name)) throw new ValidationError(`"${name}" is a ${what} the Functions host keeps its own state in; choose another name`);
  return name;
}

/**
 * The host stores keys, leases and blob receipts in `azure-webjobs-*` containers, and runs blob triggers through
 * `azure-webjobs-blobtrigger-*` queues and `webjobs-blobtrigger-poison`: a blob trigger on such a container would
 * fire on the host's own blobs, and the archive's lifecycle rule would tier them.
 */
function isHostStorageName(name: string): boolean {
  return name.startsWith('azure-webjobs-') || name === 'webjobs-blobtrigger-poison';
}
