// `npm run build` bundles each function module with everything it imports into dist/src/functions/<name>.js,
// where package.json "main" points: at cold start the host then reads a few files instead of hundreds of
// node_modules files. `tsc` still type-checks first; this only emits.
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** @type {import('esbuild').BuildOptions & { entryPoints: string[]; outdir: string; outbase: string }} */
export const bundleOptions = {
  entryPoints: ['src/functions/*.ts'],
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  // Code several functions import is emitted once, into a chunk outside "main", and loaded once.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  // @azure/functions registers every function with the host's worker, and its extensions share its
  // registries: they stay single instances from node_modules, which remote build installs.
  external: ['@azure/functions', '@azure/functions-*'],
  // Bundled CommonJS packages call require() for Node built-ins, which ES modules do not have by default.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // Chunk names carry content hashes: without a clean dist, stale chunks would pile up and ship.
  rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
  await build({ ...bundleOptions, absWorkingDir: root });
}
