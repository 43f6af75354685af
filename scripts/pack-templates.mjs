// Runs after the bundle in `npm run build`: packs every file under templates/ into dist/templates.pack.cjs
// (Handlebars templates precompiled) and dist/templates.pack.txt (the texts of files copied as they are), so the
// published CLI reads two files and renders with the Handlebars runtime. See TemplatePack in src/templates-dir.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { COMPILE_OPTIONS, filesUnder, TEMPLATES_DIR } from '../dist/templates.js';

let texts = '';
const entries = filesUnder(TEMPLATES_DIR).map((path) => {
  const source = readFileSync(join(TEMPLATES_DIR, path), 'utf8');
  if (path.endsWith('.hbs')) return `  ${JSON.stringify(path)}: { spec: ${Handlebars.precompile(source, COMPILE_OPTIONS)} },`;
  const span = [texts.length, texts.length + source.length];
  texts += source;
  return `  ${JSON.stringify(path)}: { text: ${JSON.stringify(span)} },`;
});
writeFileSync(new URL('../dist/templates.pack.txt', import.meta.url), texts);
writeFileSync(
  new URL('../dist/templates.pack.cjs', import.meta.url),
  `'use strict';\n// Generated from templates/ by scripts/pack-templates.mjs.\nmodule.exports = {\n${entries.join('\n')}\n};\n`,
);
console.log(`packed ${entries.length} templates into dist/templates.pack.{cjs,txt}`);
