import { describe, expect, it } from 'vitest';
import wrapAnsi from 'wrap-ansi';
import { summaryRow } from '../../src/commands/create.js';
import { hangingWrap } from '../../src/terminal-wrap.js';

/** What the summary wraps with in a terminal `columns` wide. */
const terminal = (columns: number) => hangingWrap(wrapAnsi, columns);

describe('the summary before writing', () => {
  const reason = 'why: clients call it and wait for an answer: a RESTful API with validation and OpenAPI';

  it('wraps a long row at word boundaries to the terminal, further lines under its text', () => {
    expect(summaryRow('', reason, terminal(50)).split('\n')).toEqual([
      '            why: clients call it and wait for an',
      '            answer: a RESTful API with validation',
      '            and OpenAPI',
    ]);
    expect(summaryRow('pattern', 'HTTP API — RESTful · scalability High · complexity Low', terminal(40)).split('\n')).toEqual([
      '  pattern   HTTP API — RESTful ·',
      '            scalability High ·',
      '            complexity Low',
    ]);
  });

  it('leaves a row whole where output is no terminal, and styles every line of a wrapped one', () => {
    expect(summaryRow('files', '161')).toBe('  files     161');
    expect(summaryRow('', reason, terminal(50), (line) => `<${line}>`).split('\n')).toHaveLength(3);
    expect(summaryRow('', reason, terminal(50), (line) => `<${line}>`).split('\n').every((line) => line.startsWith('<') && line.endsWith('>'))).toBe(true);
  });
});
