import { describe, expect, it } from 'vitest';
import { RecentLineIds } from '../../src/data-processing/duplicates.js';

describe('RecentLineIds', () => {
  it('names the earlier line holding an id, and remembers at least the last `capacity` lines however many come', () => {
    const ids = new RecentLineIds(2);
    expect(['a', 'b', 'a'].map((id, i) => ids.claim(id, i + 1))).toEqual([undefined, undefined, 1]);
    // c starts a new generation, a and b still remembered in the previous one; e starts the next, forgetting a.
    expect(['c', 'b', 'd', 'e', 'a', 'c'].map((id, i) => ids.claim(id, i + 4))).toEqual([undefined, 2, undefined, undefined, undefined, 4]);
  });
});
