import { describe, expect, it } from 'vitest';
import { ifMatchHolds, ifNoneMatchHolds } from '../../src/http/conditional.js';

describe('If-Match (strong comparison)', () => {
  it.each([
    ['"v1"', '"v1"', true],
    ['W/"v1"', '"v1"', false],
    ['"v1"', 'W/"v1"', false],
    ['"v0", "v1"', '"v1"', true],
    ['  *  ', '"v1"', true],
    ['"a,b", "v2"', '"a,b"', true],
    ['"v0"', '"v1"', false],
    ['v1', '"v1"', false],
    ['', '"v1"', false],
  ])('If-Match: %s against %s → %s', (field, current, holds) => {
    expect(ifMatchHolds(field, current)).toBe(holds);
  });
});

describe('If-None-Match (weak comparison)', () => {
  it.each([
    ['"v1"', '"v1"', false],
    ['W/"v1"', '"v1"', false],
    ['"v0", W/"v1"', '"v1"', false],
    ['*', '"v1"', false],
    ['"v0"', '"v1"', true],
    ['garbage', '"v1"', true],
  ])('If-None-Match: %s against %s → holds %s', (field, current, holds) => {
    expect(ifNoneMatchHolds(field, current)).toBe(holds);
  });
});
