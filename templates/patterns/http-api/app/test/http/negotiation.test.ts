import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/http/csv.js';
import { negotiate, parseAccept } from '../../src/http/negotiation.js';
import { HttpError } from '../../src/http/problem.js';
import { apiRequest } from '../support/http.js';

const OFFERED = ['application/json', 'text/csv'];
const chosen = (accept?: string) => negotiate(apiRequest('GET', '/api/x', { headers: accept === undefined ? {} : { accept } }), OFFERED);

describe('negotiate', () => {
  it.each([
    [undefined, 'application/json'],
    ['*/*', 'application/json'],
    ['text/csv', 'text/csv'],
    ['text/*', 'text/csv'],
    ['application/json;q=0.5, text/csv', 'text/csv'],
    ['text/csv;q=0.2, */*;q=0.9', 'application/json'],
    ['*/*, text/csv;q=0', 'application/json'],
    ['TEXT/CSV', 'text/csv'],
  ])('Accept: %s → %s', (accept, expected) => {
    expect(chosen(accept)).toBe(expected);
  });

  it('throws 406 when nothing offered is acceptable', () => {
    expect(() => chosen('application/xml, text/csv;q=0')).toThrow(HttpError);
    expect(() => chosen('application/xml')).toThrow(expect.objectContaining({ status: 406 }));
  });

  it('skips malformed media ranges instead of failing', () => {
    expect(parseAccept('garbage, text/csv;q=abc, application/json;q=0.3')).toEqual([{ type: 'application', subtype: 'json', quality: 0.3 }]);
  });
});

describe('toCsv', () => {
  it('quotes commas, quotes and line breaks, and ends lines with CRLF', () => {
    expect(toCsv(['a', 'b'], [{ a: 'x,y', b: 'say "hi"\nbye' }, { a: 1, b: null }])).toBe('a,b\r\n"x,y","say ""hi""\nbye"\r\n1,\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but not numbers', () => {
    expect(toCsv(['v'], [{ v: '=HYPERLINK("http://evil")' }, { v: '@SUM(A1)' }, { v: -3 }])).toBe('v\r\n"\'=HYPERLINK(""http://evil"")"\r\n\'@SUM(A1)\r\n-3\r\n');
    // Every character a spreadsheet starts a formula with, each on its own: one left out would go unguarded.
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(toCsv(['v'], [{ v: `${start}1+1` }]).split('\r\n')[1], JSON.stringify(start)).toMatch(/^"?'/);
    }
    expect(toCsv(['v'], [{ v: 'a-1' }])).toBe('v\r\na-1\r\n');
    // Spreadsheets in locales whose list separator is `;` split a file there: unquoted, the text after one would be
    // a cell of its own, and a formula nobody defused.
    expect(toCsv(['v'], [{ v: 'note;=SUM(A1:A9)' }])).toBe('v\r\n"note;=SUM(A1:A9)"\r\n');
  });

  it('writes nested values as JSON', () => {
    expect(toCsv(['tags'], [{ tags: ['a', 'b'] }])).toBe('tags\r\n"[""a"",""b""]"\r\n');
  });
});
