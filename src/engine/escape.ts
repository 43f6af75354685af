import type { HelperDelegate } from 'handlebars';
import { isPackageManager, PACKAGE_MANAGERS, packageManagerCommands } from './package-manager.js';

/**
 * Escapers per target language. Templates render with `noEscape`, so every interpolation must go through
 * one of these helpers (a test scans the templates for bare `{{value}}`).
 */

/** A TypeScript/JavaScript string literal, double-quoted. JSON is a subset of TS string syntax. */
export function tsString(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A Bicep string literal: single-quoted, with `\`, `'` and `${` escaped and control characters spelled out. */
export function bicepString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\$\{/g, '\\${')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

/** Any JSON-serialisable value as a Bicep literal (objects and arrays over several lines). */
export function bicepLiteral(value: unknown, indent = ''): string {
  if (typeof value === 'string') return bicepString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${bicepLiteral(item, inner)}`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, item]) => `${inner}${bicepKey(key)}: ${bicepLiteral(item, inner)}`).join('\n')}\n${indent}}`;
}

/** An object key: bare when it is an identifier (the linter prefers that), quoted otherwise. */
export function bicepKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : bicepString(key);
}

/** A YAML scalar: a JSON string is a valid double-quoted YAML scalar. */
export function yamlString(value: string): string {
  return tsString(value);
}

// At a line's start, as CommonMark reads it: a heading or bullet (its marker then a space or the end), a numbered item
// ("1." or "1)" likewise), or a line of = or - under a paragraph (a heading) or alone (a rule).
const LINE_START_MARKUP = /^(\s*)(?:(#{1,6}|[-+])(?=[ \t]|$)|(\d{1,9})([.)])(?=[ \t]|$)|([=-])(?=[=-]*\s*$))/;

/**
 * Markdown text on one line: what makes markup anywhere (emphasis, code, links and images, HTML, table cells,
 * strikethrough) is backslash-escaped everywhere, what does only at the start of a line (a heading, list or quote)
 * only there, since a value may start one. So `my-app 1.2 + more` stays as readable in the raw file as rendered.
 */
export function markdownText(value: string): string {
  return value
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, (char) => `\\${char}`)
    .replace(LINE_START_MARKUP, (_match, space: string, mark?: string, number?: string, listMark?: string, rule?: string) =>
      number ? `${space}${number}\\${listMark}` : `${space}\\${mark ?? rule}`,
    );
}

/**
 * A Markdown code span of the text: backslash escapes do not work inside one (they would show), so the text
 * stays as it is and the fence outgrows any run of backticks in it (CommonMark); a `|` would still end a
 * table cell, so it is refused.
 */
export function markdownCode(value: string): string {
  const text = value.replace(/\r?\n/g, ' ');
  if (text.includes('|')) throw new Error(`template bug: ${JSON.stringify(value)} cannot be a code span in a table`);
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const padding = /^`|`$/.test(text) ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

/**
 * The URL path of a route under host.json's routePrefix: `urlPath('api', 'health')` is `/api/health`, and with no
 * prefix (`""`) it is `/health`. Segments were validated upstream (route names, `openapi.json`); anything else is a
 * template bug, so the path needs no escaping in the TS, Bicep, KQL or Markdown it lands in.
 */
export function urlPath(routePrefix: string, ...segments: string[]): string {
  const parts = [routePrefix, ...segments].filter((part) => part !== '');
  for (const part of parts) {
    if (!/^[A-Za-z0-9_{}-]+(\.[A-Za-z0-9]+)?$/.test(part)) throw new Error(`template bug: ${JSON.stringify(part)} is not a route segment`);
  }
  return `/${parts.join('/')}`;
}

/** An identifier-like value that was validated upstream (TS/Bicep names, route segments, ids). */
export function identifier(value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(value)) {
    throw new Error(`template bug: ${JSON.stringify(value)} is not an identifier; escape it for its target language`);
  }
  return value;
}

/**
 * A package manager command for the app's README, as "next steps" spell it: `install`, or a package.json script
 * run (`pnpm test`, `bun run test`). Only the four package managers and plain script names pass, so the command
 * needs no quoting in a shell block or a code span.
 */
export function packageManagerCommand(pm: unknown, script?: unknown): string {
  if (!isPackageManager(pm)) throw new Error(`template bug: ${JSON.stringify(pm)} is not a package manager (${PACKAGE_MANAGERS.join(', ')})`);
  const commands = packageManagerCommands(pm);
  if (script === undefined) return commands.install.join(' ');
  if (typeof script !== 'string' || !/^[a-z][a-z0-9:-]*$/.test(script)) throw new Error(`template bug: ${JSON.stringify(script)} is not a script name`);
  return commands.run(script);
}

/** Helpers registered on the Handlebars instance. Names are short because templates use them everywhere. */
export const escapeHelpers: Record<string, HelperDelegate> = {
  ts: (value: unknown) => tsString(String(value)),
  bicep: (value: unknown) => bicepLiteral(value),
  bicepKey: (value: unknown) => bicepKey(String(value)),
  json: (value: unknown) => JSON.stringify(value),
  yaml: (value: unknown) => yamlString(String(value)),
  md: (value: unknown) => markdownText(String(value)),
  /** `{{code name '-poison'}}`: the arguments joined into one code span (Handlebars passes its options last). */
  code: (...parts: unknown[]) => markdownCode(parts.slice(0, -1).map(String).join('')),
  id: (value: unknown) => identifier(value as string),
  /** `{{urlPath routePrefix 'health'}}`: `/api/health`, or `/health` with no route prefix (Handlebars passes its options last). */
  urlPath: (routePrefix: unknown, ...segments: unknown[]) => urlPath(String(routePrefix), ...segments.slice(0, -1).map(String)),
  /** azd parameter substitution with a default, `${NAME=default}` (braces would clash with Handlebars). */
  azdVar: (name: unknown, fallback: unknown) => `\${${identifier(name as string)}=${identifier(fallback as string)}}`,
  /** `{{install packageManager}}` and `{{run packageManager 'test'}}`: that package manager's command (Handlebars passes its options last). */
  install: (pm: unknown) => packageManagerCommand(pm),
  run: (pm: unknown, script: unknown) => packageManagerCommand(pm, script),
  /** `{{pad (run packageManager 'test') 20}}# comment`: the text and spaces up to that column (at least one), so comments line up. */
  pad: (value: unknown, width: unknown) => {
    if (typeof width !== 'number' || !Number.isInteger(width)) throw new Error(`template bug: ${String(width)} is not a column`);
    return String(value).padEnd(Math.max(width, String(value).length + 1));
  },
  num: (value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`template bug: ${String(value)} is not a number`);
    return String(value);
  },
};
