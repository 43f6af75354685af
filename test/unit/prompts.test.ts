import { describe, expect, it } from 'vitest';
import { choicesPageSize } from '../../src/prompts.js';
import { patternChoiceLabel } from '../../src/engine/answers.js';
import { PATTERN_IDS } from '../../src/patterns/types.js';

describe('choicesPageSize', () => {
  const patterns = PATTERN_IDS.map(patternChoiceLabel);

  // Inquirer pages by lines: at 40 columns each pattern wraps, and its default 7 lines showed 3 of the 4.
  it('shows every choice, wrapped at the terminal width', async () => {
    // `❯◯ HTTP API — RESTful · scalability High` and ` · complexity Low`: 2 lines, Event Processing 3, the others 2.
    expect(await choicesPageSize(patterns, { columns: 40, rows: 30 })).toBe(9);
    expect(await choicesPageSize(patterns, { columns: 160, rows: 30 })).toBe(7);
  });

  it('leaves room for the question and the help in a short terminal, and keeps inquirer’s 7 lines at least', async () => {
    expect(await choicesPageSize(patterns, { columns: 40, rows: 14 })).toBe(7);
    expect(await choicesPageSize(patterns, { columns: 40, rows: 16 })).toBe(8);
  });
});
