import { PATTERNS } from './index.js';
import { PATTERN_IDS, type PatternId } from './types.js';

/** A pattern option as a command-line flag, on `create` and on `add` alike. */
export interface PatternFlag {
  pattern: PatternId;
  /** The option's key in the pattern's options (and in an answers file). */
  key: string;
  /** Commander's flag, e.g. `--resource <names>`. */
  flag: string;
  /** What `--help` prints for it. */
  description: string;
}

/**
 * Every pattern option as a flag, in registry order. The build writes this table to dist/pattern-flags.json,
 * so that `--help` lists the flags without loading the pattern modules and the libraries they use.
 */
export function patternFlags(): PatternFlag[] {
  return PATTERN_IDS.flatMap((pattern) =>
    Object.entries(PATTERNS[pattern].options).map(([key, spec]) => {
      // An empty default means "not used"; the description says what then happens.
      const shownDefault = spec.format(spec.defaultValue);
      return { pattern, key, flag: spec.flag, description: `[${pattern}] ${spec.description}${shownDefault === '' ? '' : ` (default: ${shownDefault})`}` };
    }),
  );
}
