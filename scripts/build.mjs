// `npm run build`, after `tsc` type-checks: bundles the CLI with esbuild, so `npx create-serverless-app` reads a
// few files instead of several hundred (resolving and loading modules is much of a cold start), then the
// templates and the lockfile are packed. The template engine and the lockfile cutter are entry points of their
// own, for scripts/pack-templates.mjs and scripts/pack-lockfile.mjs.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts', templates: 'src/engine/templates.ts', lockfile: 'src/engine/lockfile.ts' },
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
  logLevel: 'warning',
});
