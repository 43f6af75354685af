// `npm run build`, after `tsc` type-checks: bundles the CLI with esbuild, so `npx create-serverless-app` reads a
// few files instead of several hundred (resolving and loading modules is much of a cold start), then the
// templates and the lockfile are packed. The template engine and the lockfile cutter are entry points of their
// own, for scripts/pack-templates.mjs and scripts/pack-lockfile.mjs, and so is the pattern flag table, for
// scripts/pack-pattern-flags.mjs.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const SPAWN_AT_LOAD = "const childProcess = require('node:child_process');";

/**
 * Commander loads node:child_process as it loads (~5 ms on Node 20) for executable subcommands, which this CLI
 * has none of: it is loaded at the first spawn instead. Fails the build if commander's code changed.
 */
const commanderWithoutEagerChildProcess = {
  name: 'commander-without-eager-child-process',
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      if (!source.includes(SPAWN_AT_LOAD)) throw new Error(`${path} no longer has ${SPAWN_AT_LOAD}: update scripts/build.mjs`);
      return { contents: source.replace(SPAWN_AT_LOAD, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), loader: 'js' };
    });
  },
};

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts', templates: 'src/engine/templates.ts', lockfile: 'src/engine/lockfile.ts', 'pattern-flags': 'src/patterns/flags.ts' },
  outdir: 'dist',
  bundle: true,
  // Each command's modules (prompts, execa, memfs, Handlebars…) stay in chunks its dynamic import loads.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ES module builds first: jsonc-parser's UMD build require()s its own files in a way no bundler can follow.
  mainFields: ['module', 'main'],
  // Bundled CommonJS packages (commander, memfs) call require() for Node's built-ins; an ES module has none.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [commanderWithoutEagerChildProcess],
  logLevel: 'warning',
});
