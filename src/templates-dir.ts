import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type HandlebarsModule from 'handlebars';
import type { LockfilePack } from './engine/lockfile.js';
import type { TemplateFile } from './patterns/types.js';

/** templates/ sits next to src/ and dist/, so this resolves the same from sources and from the build. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/** Every package an app may depend on, resolved by `npm run lock` (see src/engine/lockfile.ts); next to templates/. */
export const GENERATOR_LOCKFILE = fileURLToPath(new URL('../lockfile/package-lock.json', import.meta.url));

export type TemplateSpec = Parameters<typeof HandlebarsModule.template>[0];

/**
 * What `npm run build` writes to dist/templates.pack.cjs: every file under templates/ by its path, Handlebars
 * ones precompiled, the others as a span of dist/templates.pack.txt, where their texts follow one another (one
 * read, cheaper than parsing them as JavaScript strings). The published package renders from these two files.
 */
export type TemplatePack = Record<string, { spec: TemplateSpec } | { text: [start: number, end: number] }>;

const require = createRequire(import.meta.url);
let pack: TemplatePack | null | undefined;
let packedTexts: string | undefined;

/**
 * The build's template pack, next to the bundled CLI. Run from sources (the generator's own tests), there is
 * none and templates are read from templates/: like the code, templates reach dist/ only through a build.
 */
export function templatePack(): TemplatePack | null {
  if (pack === undefined) {
    try {
      pack = require('./templates.pack.cjs') as TemplatePack;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      pack = null;
    }
  }
  return pack;
}

/**
 * The build's packed lockfile (dist/lockfile.pack.json, see src/engine/lockfile.ts), next to the bundled CLI.
 * Run from sources there is none, and the lockfile is packed from lockfile/package-lock.json at first use.
 */
export function lockfilePack(): LockfilePack | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./lockfile.pack.json', import.meta.url), 'utf8')) as LockfilePack;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}

/** Every template file under `folder` (a path below templates/), relative to it with `/` separators, sorted. */
export function templateFilesUnder(folder: string): string[] {
  const packed = templatePack();
  if (!packed) return filesUnder(join(TEMPLATES_DIR, folder));
  const prefix = folder === '' ? '' : `${folder}/`;
  return Object.keys(packed)
    .filter((path) => path.startsWith(prefix))
    .map((path) => path.slice(prefix.length))
    .sort();
}

/**
 * A template file's text: from templates/ when running from sources (a path may lead outside it, to a test
 * fixture); from the pack, which keeps the text of files copied as they are and compiled code for the others.
 */
export function templateText(path: string): string {
  const packed = templatePack();
  if (!packed) return readFileSync(join(TEMPLATES_DIR, path), 'utf8');
  const entry = packed[path];
  if (!entry || !('text' in entry)) throw new Error(`template bug: ${path} is not in the build's template pack`);
  packedTexts ??= readFileSync(new URL('./templates.pack.txt', import.meta.url), 'utf8');
  return packedTexts.slice(...entry.text);
}

/**
 * Every file of a template folder, mapped to its output path: `.hbs` is stripped, a leading `_` on a
 * path segment becomes `.` (so a template `.gitignore` is not taken for the repository's own) and `partials/`
 * folders are skipped.
 */
export function templateFolder(folder: string, outputPrefix = ''): TemplateFile[] {
  return templateFilesUnder(folder)
    .filter((path) => !path.split('/').includes('partials'))
    .map((path) => ({ template: `${folder}/${path}`, path: outputPrefix + outputPath(path) }));
}

/** Every file below `root`, relative to it with `/` separators, sorted. */
export function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function outputPath(templatePath: string): string {
  return templatePath
    .replace(/\.hbs$/, '')
    .split('/')
    .map((segment) => segment.replace(/^_/, '.'))
    .join('/');
}
