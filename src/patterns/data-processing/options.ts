import { ValidationError } from '../../exit-codes.js';
import type { OptionSpec } from '../types.js';

export const DATA_INPUTS = ['blob', 'queue', 'eventhubs'] as const;
export const DATA_FORMATS = ['csv', 'json', 'ndjson'] as const;
export const DATA_DESTINATIONS = ['table', 'cosmos', 'blob'] as const;
export type DataInput = (typeof DATA_INPUTS)[number];
export type DataFormat = (typeof DATA_FORMATS)[number];
export type DataDestination = (typeof DATA_DESTINATIONS)[number];

/**
 * Blob container and queue names share Azure's rule: 3-63 characters, lowercase letters, digits and
 * hyphens, starting with a letter or digit, every hyphen between two letters or digits.
 * https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
 */
function storageEntityName(input: unknown, what: 'container' | 'queue', maxLength = 63): string {
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
  return name;
}

export function nameOption(flag: string, description: string, what: 'container' | 'queue', defaultValue: string, maxLength = 63): OptionSpec<string> {
  return {
    flag,
    description,
    defaultValue,
    parse: (input) => storageEntityName(input, what, maxLength),
    format: (value) => value,
    prompt: { kind: 'input' },
  };
}

export function daysOption(flag: string, description: string, defaultValue: number): OptionSpec<number> {
  return {
    flag,
    description,
    defaultValue,
    parse(input) {
      const value = typeof input === 'string' && /^\s*\d+\s*$/.test(input) ? Number(input) : input;
      // Lifecycle rules take whole days; 99999 is the service's upper bound.
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 99_999) {
        throw new ValidationError(`${JSON.stringify(input)} is not a whole number of days between 1 and 99999`);
      }
      return value;
    },
    format: (value) => String(value),
    prompt: { kind: 'input' },
  };
}
