import { ValidationError } from '../../exit-codes.js';
import { parseStorageName } from '../option-kinds.js';
import type { OptionSpec } from '../types.js';

export const DATA_INPUTS = ['blob', 'queue', 'eventhubs'] as const;
export const DATA_FORMATS = ['csv', 'json', 'ndjson'] as const;
export const DATA_DESTINATIONS = ['table', 'cosmos', 'blob'] as const;
export type DataInput = (typeof DATA_INPUTS)[number];
export type DataFormat = (typeof DATA_FORMATS)[number];
export type DataDestination = (typeof DATA_DESTINATIONS)[number];

export function nameOption(flag: string, description: string, what: 'container' | 'queue', defaultValue: string, maxLength = 63): OptionSpec<string> {
  return {
    flag,
    description,
    defaultValue,
    parse: (input) => parseStorageName(input, what, maxLength),
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
