// `npm run lock`, after a change to src/versions.ts: resolves every package a generated app may depend on into
// one lockfile, lockfile/package-lock.json (committed, shipped). A new app gets the part of it that its own
// dependencies reach (src/engine/lockfile.ts): its first `npm install` fetches no package metadata, and it
// installs the very versions the generator's end-to-end tests ran with.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const versionsModule = fileURLToPath(new URL('../src/versions.ts', import.meta.url));
const { outputFiles } = await build({ entryPoints: [versionsModule], bundle: true, format: 'esm', write: false, logLevel: 'warning' });
const { RUNTIME_DEPENDENCY_VERSIONS, DEV_DEPENDENCY_VERSIONS } = await import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);

const dir = mkdtempSync(join(tmpdir(), 'csa-lock-'));
try {
  const union = { name: 'generated-app', version: '0.1.0', private: true, dependencies: RUNTIME_DEPENDENCY_VERSIONS, devDependencies: DEV_DEPENDENCY_VERSIONS };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(union, null, 2)}\n`);
  // From the current lockfile: npm resolves only what changed, and every other package keeps the version tested.
  copyFileSync(fileURLToPath(new URL('../lockfile/package-lock.json', import.meta.url)), join(dir, 'package-lock.json'));
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  copyFileSync(join(dir, 'package-lock.json'), fileURLToPath(new URL('../lockfile/package-lock.json', import.meta.url)));
  console.log('wrote lockfile/package-lock.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
