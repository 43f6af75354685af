import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { escapeHelpers } from '../../src/engine/escape.js';
import { COMPILE_OPTIONS } from '../../src/engine/templates.js';
import { filesUnder, TEMPLATES_DIR } from '../../src/templates-dir.js';

const templateFiles = filesUnder(TEMPLATES_DIR);
const templates = templateFiles.filter((path) => path.endsWith('.hbs'));

// Tests the generated app runs, including their support modules.
const generatedTests = templateFiles.filter((path) => /\.ts(\.hbs)?$/.test(path) && path.split('/').includes('test'));

// Output-producing helpers: each escapes for one target language, or (trusted) passes generator-built Bicep.
const OUTPUT_HELPERS = new Set([...Object.keys(escapeHelpers), 'trusted']);

/** Every `{{…}}` that writes a value, as opposed to blocks, partials, comments and `else`. */
function valueMustaches(source: string): string[] {
  const withoutEscaped = source.replace(/\\\{\{[^}]*\}\}/g, '');
  return [...withoutEscaped.matchAll(/\{\{(?!!)(?![#/>^])\s*([^}]*?)\s*\}\}/g)]
    .map((match) => match[1]!)
    // `{{else}}` and `{{else if …}}` continue a block: they write nothing.
    .filter((body) => body !== 'else' && !body.startsWith('else '));
}

/** Lines of a Markdown template with a `{{md …}}` after an odd number of backticks (fenced blocks aside). */
function mdInsideCodeSpans(source: string): string[] {
  let fenced = false;
  return source.split('\n').filter((line) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    if (fenced) return false;
    return [...line.matchAll(/\{\{md /g)].some((match) => (line.slice(0, match.index).match(/`/g) ?? []).length % 2 === 1);
  });
}

describe('templates', () => {
  it('exist', () => {
    expect(templates.length).toBeGreaterThan(10);
  });

  it('compile only against the registered helpers: a misspelt one fails the build', () => {
    expect(() => Handlebars.precompile('{{md title}}', COMPILE_OPTIONS)).not.toThrow();
    expect(() => Handlebars.precompile('{{mdd title}}', COMPILE_OPTIONS)).toThrow(/unknown helper mdd/);
  });

  it.each(templates)('%s writes every value through an escaping helper', (template) => {
    const source = readFileSync(join(TEMPLATES_DIR, template), 'utf8');
    expect(source).not.toMatch(/\{\{\{/); // triple-stash would bypass the helpers
    const unescaped = valueMustaches(source).filter((body) => !OUTPUT_HELPERS.has(body.split(/\s+/)[0]!));
    expect(unescaped, `use one of ${[...OUTPUT_HELPERS].join(', ')}`).toEqual([]);
  });

  // Backslash escapes are literal inside a code span, so `{{md x}}` there shows `my\-queue`: use `{{code x}}`.
  it.each(templates.filter((path) => path.endsWith('.md.hbs')))('%s puts no md-escaped value inside a code span', (template) => {
    const source = readFileSync(join(TEMPLATES_DIR, template), 'utf8');
    expect(mdInsideCodeSpans(source)).toEqual([]);
  });

  // The README is the app's, made for npm, pnpm, yarn or bun: `{{run packageManager 'test'}}` spells it for that one.
  it.each(templates.filter((path) => path.endsWith('.md.hbs')))('%s writes no literal npm command', (template) => {
    const source = readFileSync(join(TEMPLATES_DIR, template), 'utf8');
    expect(source.split('\n').filter((line) => /\bnpm (install|test|run|start|ci)\b/.test(line))).toEqual([]);
  });

  it('the code span scan catches md between backticks, not between two code spans', () => {
    expect(mdInsideCodeSpans('`{{md a}}-poison` and `x` **{{md b}}** `y`\n```sh\n{{md c}}\n```')).toEqual(['`{{md a}}-poison` and `x` **{{md b}}** `y`']);
  });

  it('the scan itself catches a bare value', () => {
    expect(valueMustaches('name: {{project.name}} {{#if x}}{{bicep y}}{{/if}} {{! note }} \\{{ github.ref }}')).toEqual(['project.name', 'bicep y']);
  });

  // The generated vitest config runs test files in one shared module graph (isolate: false): a module mock
  // would leak into every file that runs after it in the same worker.
  it.each(generatedTests)('generated test %s mocks no module', (file) => {
    expect(generatedTests.length).toBeGreaterThan(10);
    expect(readFileSync(join(TEMPLATES_DIR, file), 'utf8')).not.toMatch(/\bvi\s*\.\s*(?:mock|doMock|unmock|resetModules)\s*\(/);
  });
});

describe('Bicep templates', () => {
  const bicepFiles = templateFiles.filter((path) => /\.bicep(\.hbs)?$/.test(path));
  const versionsByType = new Map<string, Set<string>>();
  for (const file of bicepFiles) {
    for (const [, type, version] of readFileSync(join(TEMPLATES_DIR, file), 'utf8').matchAll(/'(Microsoft\.[A-Za-z.]+\/[A-Za-z/]+)@([0-9a-z-]+)'/g)) {
      versionsByType.set(type!.toLowerCase(), (versionsByType.get(type!.toLowerCase()) ?? new Set()).add(version!));
    }
  }

  // One version per type: where one module reads (`existing`) what another deploys, both see one property shape.
  it('each resource type is used at one API version across every template', () => {
    const mixed = [...versionsByType].filter(([, versions]) => versions.size > 1).map(([type, versions]) => `${type}: ${[...versions].join(', ')}`);
    expect(mixed).toEqual([]);
  });

  // shared/reference/azure.md: sites and serverfarms at 2025-03-01, as Azure Verified Modules use.
  it.each(['microsoft.web/sites', 'microsoft.web/serverfarms', 'microsoft.web/sites/config'])('%s is at 2025-03-01', (type) => {
    expect([...(versionsByType.get(type) ?? [])]).toEqual(['2025-03-01']);
  });

  // Azure's DNS suffixes differ in sovereign clouds (servicebus.chinacloudapi.cn…): read endpoints from the
  // resources (`properties.serviceBusEndpoint`, `primaryEndpoints`, `defaultHostName`) instead.
  it.each(bicepFiles)('%s hard-codes no public-cloud host name', (file) => {
    const code = readFileSync(join(TEMPLATES_DIR, file), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('//'));
    expect(code.filter((line) => /\.(windows\.net|azurewebsites\.net|azure\.com)\b/.test(line))).toEqual([]);
  });
});
