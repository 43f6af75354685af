// Runs after the bundle in `npm run build`: writes every pattern option's flag to dist/pattern-flags.json, which
// the CLI reads to build its commands, so that `--help` does not load the pattern modules. See src/patterns/flags.ts.
import { writeFileSync } from 'node:fs';
import { patternFlags } from '../dist/pattern-flags.js';

const flags = patternFlags();
writeFileSync(new URL('../dist/pattern-flags.json', import.meta.url), JSON.stringify(flags));
console.log(`wrote ${flags.length} pattern flags to dist/pattern-flags.json`);
