import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateFile } from './patterns/types.js';

/** templates/ sits next to src/ and dist/, so this resolves the same from sources and from the build. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/**
 * Every file of a template folder, mapped to its output path: `.hbs` is stripped, a leading `_` on a
 * path segment becomes `.` (npm drops `.gitignore` from packages) and `partials/` folders are skipped.
 */
export function templateFolder(folder: string, outputPrefix = ''): TemplateFile[] {
  return filesUnder(join(TEMPLATES_DIR, folder))
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

export function outputPath(templatePath: string): string {
  return templatePath
    .replace(/\.hbs$/, '')
    .split('/')
    .map((segment) => segment.replace(/^_/, '.'))
    .join('/');
}
