import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { bicepKey, bicepLiteral, bicepString, escapeHelpers, identifier, markdownCode, markdownText, packageManagerCommand, tsString, urlPath, yamlString } from '../../src/engine/escape.js';
import { bicepMissing, compileBicep } from '../support/bicep.js';
import { scratchDir } from '../support/scratch.js';

// Strings a user could type (or paste) that break naive interpolation in each target language.
const HOSTILE = [
  `it's "quoted"`,
  'back\\slash and ${interpolation} and `template`',
  'line one\nline two\r\n\ttabbed',
  '</script><img src=x onerror=alert(1)> & &amp;',
  "'; DROP TABLE x; --",
  'unicode ✓ — ünïcödé \u2028 separator',
  '# heading *bold* _em_ [link](http://x) | pipe',
  'key: value\n- item\n{a: 1}',
];

describe('tsString', () => {
  it.each(HOSTILE)('round-trips %j as a TypeScript string literal', (value) => {
    // eslint-disable-next-line no-new-func -- evaluating the literal is the point of the test
    expect(new Function(`return ${tsString(value)};`)()).toBe(value);
  });
});

describe('yamlString', () => {
  it.each(HOSTILE)('round-trips %j as a YAML scalar', (value) => {
    expect(parseYaml(`key: ${yamlString(value)}\n`)).toEqual({ key: value });
  });
});

describe('bicepString', () => {
  it('escapes quotes, backslashes, interpolation and control characters', () => {
    expect(bicepString("a'b\\c${d}\n")).toBe("'a\\'b\\\\c\\${d}\\n'");
  });

  it.skipIf(bicepMissing)('round-trips hostile strings through the real Bicep compiler', () => {
    const dir = scratchDir('escape');
    const outputs = HOSTILE.map((value, index) => `output value${index} string = ${bicepString(value)}`).join('\n');
    writeFileSync(join(dir, 'main.bicep'), `${outputs}\n`);
    const arm = compileBicep(join(dir, 'main.bicep')) as { outputs: Record<string, { value: string }> };
    expect(HOSTILE.map((_, index) => arm.outputs[`value${index}`]!.value)).toEqual(HOSTILE);
  });
});

describe('bicepLiteral', () => {
  it('renders nested JSON values with bare or quoted keys as needed', () => {
    expect(bicepLiteral({ plain: 1, 'needs-quote': [true, null, 'x'] })).toBe("{\n  plain: 1\n  'needs-quote': [\n    true\n    null\n    'x'\n  ]\n}");
    expect(bicepKey('AzureWebJobsStorage__credential')).toBe('AzureWebJobsStorage__credential');
    expect(bicepKey('has space')).toBe("'has space'");
  });
});

describe('markdownText', () => {
  it('neutralises markup and HTML and keeps one line', () => {
    expect(markdownText('<b>*x*</b>\n# y')).toBe('\\<b\\>\\*x\\*\\</b\\> # y');
    expect(markdownText('[link](http://x) `code` a|b ~~gone~~ _em_ \\')).toBe('\\[link\\](http://x) \\`code\\` a\\|b \\~\\~gone\\~\\~ \\_em\\_ \\\\');
  });

  // A value can begin a line ("# {{md name}}" is not one, "{{md description}}" is): a heading, list or quote there.
  it('escapes what starts a heading, list or quote only at the start, and leaves names and versions readable', () => {
    expect(markdownText('my-app 1.2 + more (beta)!')).toBe('my-app 1.2 + more (beta)!');
    expect(markdownText('# title')).toBe('\\# title');
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('+ item')).toBe('\\+ item');
    expect(markdownText('> quote')).toBe('\\> quote');
    expect(markdownText('=====')).toBe('\\=====');
    expect(markdownText('12. item')).toBe('12\\. item');
    expect(markdownText('3) item')).toBe('3\\) item');
    expect(markdownText('2026 plan')).toBe('2026 plan');
    expect(markdownText('0.1.0')).toBe('0.1.0');
    expect(markdownText('-x #tag')).toBe('-x #tag');
    expect(markdownText('---')).toBe('\\---');
    expect(markdownText('#')).toBe('\\#');
  });
});

describe('markdownCode', () => {
  // Backslash escapes are literal inside a code span: `my\-queue` would show its backslash.
  it('keeps the text as it is, with a fence longer than any backtick run in it', () => {
    expect(markdownCode('my-queue_name.v1')).toBe('`my-queue_name.v1`');
    expect(markdownCode('a `b` c')).toBe('``a `b` c``');
    expect(markdownCode('`x')).toBe('`` `x ``');
    expect(markdownCode('one\ntwo')).toBe('`one two`');
  });

  it('refuses a pipe, which would end a table cell', () => {
    expect(() => markdownCode('a|b')).toThrow(/template bug/);
  });

  it('joins the helper\'s arguments into one span', () => {
    expect(escapeHelpers.code!('my-queue', '-poison', { hash: {} })).toBe('`my-queue-poison`');
  });
});

describe('urlPath', () => {
  it('joins a route prefix and route segments, leaving out an empty prefix', () => {
    expect(urlPath('api', 'health')).toBe('/api/health');
    expect(urlPath('', 'health')).toBe('/health');
    expect(urlPath('v1', 'order-lines', '{id}')).toBe('/v1/order-lines/{id}');
    expect(urlPath('api', 'openapi.json')).toBe('/api/openapi.json');
    expect(urlPath('api')).toBe('/api');
    expect(urlPath('')).toBe('/');
  });

  it('refuses what is no route segment: the path must need no escaping', () => {
    for (const bad of ['a/b', '..', 'a b', "a'b", 'x.', '.x', 'a\nb']) expect(() => urlPath('api', bad)).toThrow(/not a route segment/);
  });
});

describe('identifier', () => {
  it('passes identifiers and refuses anything else', () => {
    expect(identifier('orders_api-1')).toBe('orders_api-1');
    for (const bad of ['', '1abc', 'a b', "a'b", 'a/b', '../x']) expect(() => identifier(bad)).toThrow(/not an identifier/);
  });
});

describe('pad', () => {
  it('fills a command up to a column, and leaves one space after a command that reaches it', () => {
    expect(escapeHelpers.pad!('npm test', 20, { hash: {} })).toBe('npm test'.padEnd(20));
    expect(escapeHelpers.pad!('pnpm run test:slow:all', 20, { hash: {} })).toBe('pnpm run test:slow:all ');
    expect(() => escapeHelpers.pad!('npm test', '20', { hash: {} })).toThrow(/not a column/);
  });
});

describe('packageManagerCommand', () => {
  it("spells install and a script's run as the package manager's own command", () => {
    expect(packageManagerCommand('pnpm')).toBe('pnpm install');
    expect(packageManagerCommand('npm', 'test')).toBe('npm test');
    expect(packageManagerCommand('yarn', 'start')).toBe('yarn start');
    expect(packageManagerCommand('bun', 'test')).toBe('bun run test');
    expect(packageManagerCommand('npm', 'test:slow')).toBe('npm run test:slow');
    // Through Handlebars, which passes its options last.
    expect(escapeHelpers.install!('yarn', { hash: {} })).toBe('yarn install');
    expect(escapeHelpers.run!('pnpm', 'typecheck', { hash: {} })).toBe('pnpm run typecheck');
  });

  it('refuses anything but the four package managers', () => {
    for (const bad of ['deno', 'NPM', 'npm; rm -rf /', '', undefined, { hash: {} }]) expect(() => packageManagerCommand(bad, 'test')).toThrow(/template bug: .* is not a package manager/);
  });

  it('refuses a script name that is not a plain name, and a missing one', () => {
    for (const bad of ['Test', '1test', 'test && rm -rf /', 'test slow', '`x`', 'a|b', '', { hash: {} }]) {
      expect(() => packageManagerCommand('npm', bad)).toThrow(/template bug: .* is not a script name/);
    }
    expect(() => escapeHelpers.run!('npm', { hash: {} })).toThrow(/not a script name/);
  });
});
