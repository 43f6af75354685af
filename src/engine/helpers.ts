import type { HelperDelegate } from 'handlebars';
import type { TrustedBicep } from '../azure/core-params.js';
import { escapeHelpers } from './escape.js';

/**
 * Every helper a template may call. The compiler is told these names and no others, so a misspelt helper
 * fails the build (and the generator's tests) instead of a generation.
 */
export const TEMPLATE_HELPERS: Record<string, HelperDelegate> = {
  ...escapeHelpers,
  // Beyond escaping: tiny, pure, and none of them emits text unescaped except `trusted`.
  trusted: (value: unknown) => {
    if (!isTrusted(value)) throw new Error('template bug: {{trusted}} only takes values built by trustedBicep()');
    return value.code;
  },
  eq: (a: unknown, b: unknown) => a === b,
  includes: (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item),
  /** `(or a b …)`: any argument truthy (Handlebars passes its options last). */
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  join: (list: unknown, separator: unknown) => (Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : ''),
};

function isTrusted(value: unknown): value is TrustedBicep {
  return typeof value === 'object' && value !== null && (value as TrustedBicep).kind === 'trusted-bicep';
}
