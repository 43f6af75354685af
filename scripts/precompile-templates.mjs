// Runs after the bundle in `npm run build`: compiles every Handlebars template into dist/templates.precompiled.cjs,
// so the published CLI renders with the Handlebars runtime and never compiles at run time.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { COMPILE_OPTIONS, sha1, templatePaths, TEMPLATES_DIR } from '../dist/templates.js';

const entries = await Promise.all(
  templatePaths().map(async (path) => {
    const source = await readFile(join(TEMPLATES_DIR, path), 'utf8');
    return `  ${JSON.stringify(path)}: { sha1: ${JSON.stringify(sha1(source))}, spec: ${Handlebars.precompile(source, COMPILE_OPTIONS)} },`;
  }),
);
const output = new URL('../dist/templates.precompiled.cjs', import.meta.url);
writeFileSync(output, `'use strict';\n// Generated from templates/ by scripts/precompile-templates.mjs; each entry is used only while its sha1 matches the source.\nmodule.exports = {\n${entries.join('\n')}\n};\n`);
console.log(`precompiled ${entries.length} templates into dist/templates.precompiled.cjs`);
