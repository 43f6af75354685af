import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/generated-app.js';

const MAX_PACKED_BYTES = 1024 * 1024;

describe('the published package', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8' })) as {
    size: number;
    files: { path: string }[];
  }[];
  const files = pack!.files.map((file) => file.path);

  it(`stays under ${MAX_PACKED_BYTES / 1024} KiB packed`, () => {
    expect(pack!.size).toBeLessThan(MAX_PACKED_BYTES);
  });

  it('ships only the compiled code and templates, bin, README and licence', () => {
    const roots = [...new Set(files.map((path) => path.split('/')[0]))].sort();
    expect(roots).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'package.json']);
    expect(files.filter((path) => /\.test\.|^src\/|^test\/|\.map$|\.tsbuildinfo$/.test(path))).toEqual([]);
    // The templates, the lockfile and the pattern flags travel packed by the build: compiled Handlebars plus the
    // texts of files copied as they are, the lockfile resolved and printed, the flags as --help shows them.
    for (const path of ['dist/cli.js', 'dist/templates.pack.cjs', 'dist/templates.pack.txt', 'dist/lockfile.pack.json', 'dist/pattern-flags.json']) expect(files).toContain(path);
  });

  it('declares Node 20+ and no runtime dependency that is only a devDependency', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(manifest.engines.node).toMatch(/^>=20/);
    const runtime = Object.keys(manifest.dependencies);
    for (const name of ['commander', '@inquirer/prompts', 'handlebars', 'execa', 'ora', 'chalk', 'memfs']) expect(runtime).toContain(name);
    expect(runtime.filter((name) => name in manifest.devDependencies)).toEqual([]);
  });
});

describe('the repository', () => {
  // npm 11.16+ warns after every `npm install` about install scripts nobody approved, and npm 12 skips them:
  // a new contributor's first command would end in a warning, and esbuild's postinstall check would not run.
  it('approves the install scripts of its own dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    const { packages } = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(packages).filter(([, entry]) => entry.hasInstallScript === true).map(([location]) => location.split('node_modules/').at(-1)!);
    expect(withScripts).toContain('esbuild');
    expect(withScripts.filter((name) => manifest.allowScripts?.[name] !== true)).toEqual([]);
  });
});
