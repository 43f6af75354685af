// Runs after the bundle in `npm run build`: packs lockfile/package-lock.json into dist/lockfile.pack.json, every
// dependency resolved and every entry printed once, so that cutting a new app's lockfile from it is cheap. See
// LockfilePack in src/engine/lockfile.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { packLockfile } from '../dist/lockfile.js';

const pack = packLockfile(JSON.parse(readFileSync(new URL('../lockfile/package-lock.json', import.meta.url), 'utf8')));
writeFileSync(new URL('../dist/lockfile.pack.json', import.meta.url), JSON.stringify(pack));
console.log(`packed ${pack.locations.length} locked packages into dist/lockfile.pack.json`);
