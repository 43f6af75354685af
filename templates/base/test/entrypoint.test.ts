import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../scripts/bundle.mjs';

// The Functions host loads only the files matched by package.json "main"; a function outside that glob
// is silently missing in Azure ("No job functions found"). This keeps the glob and the build in step.
describe('package.json main', () => {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { main: string };
  const main = globToRegExp(packageJson.main);

  it('matches the bundled output of every function module, and no shared chunk', () => {
    const functionSources = readdirSync(new URL('../src/functions/', import.meta.url)).filter((file) => file.endsWith('.ts'));
    expect(functionSources.length).toBeGreaterThan(0);
    expect(bundleOptions.entryPoints).toEqual(['src/functions/*.ts']);
    expect(bundleOptions.outbase).toBe('.');

    // esbuild writes an entry point to outdir + its path below outbase, with a .js extension.
    for (const source of functionSources) {
      const bundled = `${bundleOptions.outdir}/src/functions/${source.replace(/\.ts$/, '.js')}`;
      expect(bundled, `${bundled} must match "main": "${packageJson.main}"`).toMatch(main);
    }
    // Chunks hold code the functions share; the host must not load them as function modules.
    expect(`${bundleOptions.outdir}/${bundleOptions.chunkNames}.js`).not.toMatch(main);
  });
});

/** Enough of glob syntax for "main": `*` within a path segment and `{a,b}` alternatives. */
function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\{([^}]*)\}/g, (_, alternatives: string) => `(?:${alternatives.split(',').join('|')})`)
    .replace(/\*/g, '[^/]*');
  return new RegExp(`^${pattern}$`);
}
