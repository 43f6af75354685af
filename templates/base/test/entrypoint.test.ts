import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The Functions host loads only the files matched by package.json "main"; a function outside that glob
// is silently missing in Azure ("No job functions found"). This keeps the glob and the sources in step.
describe('package.json main', () => {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { main: string };
  const tsconfig = JSON.parse(readFileSync(new URL('../tsconfig.build.json', import.meta.url), 'utf8')) as {
    compilerOptions: { rootDir: string; outDir: string };
  };

  it('matches the compiled output of every function module', () => {
    const functionSources = readdirSync(new URL('../src/functions/', import.meta.url)).filter((file) => file.endsWith('.ts'));
    expect(functionSources.length).toBeGreaterThan(0);
    expect(tsconfig.compilerOptions.rootDir).toBe('.');

    const main = globToRegExp(packageJson.main);
    for (const source of functionSources) {
      const compiled = `${tsconfig.compilerOptions.outDir}/src/functions/${source.replace(/\.ts$/, '.js')}`;
      expect(compiled, `${compiled} must match "main": "${packageJson.main}"`).toMatch(main);
    }
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
