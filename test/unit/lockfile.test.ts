import { readFileSync } from 'node:fs';
import { satisfies } from 'semver';
import { describe, expect, it } from 'vitest';
import { lockfileFor, packLockfile, type Lockfile } from '../../src/engine/lockfile.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { GENERATOR_LOCKFILE } from '../../src/templates-dir.js';
import { DEV_DEPENDENCY_VERSIONS, RUNTIME_DEPENDENCY_VERSIONS } from '../../src/versions.js';
import { defaultPlan, PATTERN_SUBSETS, subsetName } from '../support/subsets.js';

const integrity = (name: string) => ({ version: '1.0.0', integrity: `sha512-${name}`, license: 'MIT' });

/** a → c@1 (hoisted); b → c@2 (nested); the dev tool t → c@1, d, an optional fsevents and an optional peer. */
const LOCKFILE: Lockfile = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'union', version: '0.1.0', dependencies: { a: '1.0.0', b: '1.0.0' }, devDependencies: { t: '1.0.0' } },
    'node_modules/a': { ...integrity('a'), dependencies: { c: '^1.0.0' } },
    'node_modules/b': { ...integrity('b'), dependencies: { c: '^2.0.0' } },
    'node_modules/b/node_modules/c': { ...integrity('c2'), version: '2.0.0' },
    'node_modules/c': integrity('c'),
    'node_modules/d': { ...integrity('d'), dev: true },
    'node_modules/fsevents': { version: '1.0.0', integrity: 'sha512-fsevents', dev: true, license: 'MIT', optional: true, os: ['darwin'] },
    'node_modules/t': { ...integrity('t'), dev: true, dependencies: { c: '^1.0.0', d: '^1.0.0' }, optionalDependencies: { fsevents: '^1.0.0' }, peerDependencies: { p: '*' }, peerDependenciesMeta: { p: { optional: true } } },
    'node_modules/unused': integrity('unused'),
  },
};

const PACKED = packLockfile(LOCKFILE);
const app = (dependencies: Record<string, string>, devDependencies: Record<string, string> = {}) => ({ name: 'my-app', version: '0.1.0', dependencies, devDependencies, engines: { node: '>=20.19' } });
const packagesOf = (text: string) => (JSON.parse(text) as Lockfile).packages;

describe('lockfileFor', () => {
  it('keeps the packages the app reaches, by Node resolution, and names the app at the root', () => {
    const packages = packagesOf(lockfileFor(app({ a: '1.0.0' }), PACKED));
    expect(Object.keys(packages)).toEqual(['', 'node_modules/a', 'node_modules/c']);
    expect(packages['']).toEqual({ name: 'my-app', version: '0.1.0', dependencies: { a: '1.0.0' }, devDependencies: {}, engines: { node: '>=20.19' } });
    expect(packages['node_modules/c']).toEqual(integrity('c'));
  });

  // A package the union reached from a runtime dependency may be reached from dev tools alone in an app: npm then
  // flags it `dev` (installs leaving out devDependencies skip it), and rewrites a lockfile that says otherwise.
  it('flags each package as npm does, where npm puts the flag', () => {
    const text = lockfileFor(app({ b: '1.0.0' }, { t: '1.0.0' }), PACKED);
    const packages = packagesOf(text);
    expect(Object.keys(packages)).toEqual(['', 'node_modules/b', 'node_modules/b/node_modules/c', 'node_modules/c', 'node_modules/d', 'node_modules/fsevents', 'node_modules/t']);
    expect(packages['node_modules/b/node_modules/c']).not.toHaveProperty('dev');
    expect(Object.keys(packages['node_modules/c']!)).toEqual(['version', 'integrity', 'dev', 'license']);
    expect(packages['node_modules/fsevents']).toMatchObject({ dev: true, optional: true });
    expect(Object.keys(packages['node_modules/fsevents']!)).toEqual(['version', 'integrity', 'dev', 'license', 'optional', 'os']);
    expect(text.startsWith('{\n  "name": "my-app",\n  "version": "0.1.0",\n  "lockfileVersion": 3,\n  "requires": true,\n')).toBe(true);
  });

  it('a runtime path to a package clears the dev flag a dev path gave it', () => {
    expect(packagesOf(lockfileFor(app({ a: '1.0.0' }, { t: '1.0.0' }), PACKED))['node_modules/c']).toEqual(integrity('c'));
  });

  // Entries are printed once, when the build packs the lockfile, and joined per app: the result must still be
  // exactly what printing the whole object gives, flags moved or not.
  it('prints the lockfile as npm does, two-space JSON and a final newline', () => {
    for (const text of [lockfileFor(app({ b: '1.0.0' }, { t: '1.0.0' }), PACKED), lockfileFor(app({}, {}), PACKED)]) {
      expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    }
  });

  it('refuses, when packing, a lockfile where a dependency resolves to no package', () => {
    const broken = { ...LOCKFILE, packages: { ...LOCKFILE.packages, 'node_modules/a': { ...integrity('a'), dependencies: { gone: '^1.0.0' } } } };
    expect(() => packLockfile(broken)).toThrow('lockfile/package-lock.json has no gone for node_modules/a: run npm run lock');
  });

  it('refuses a pin the lockfile does not hold: src/versions.ts changed without npm run lock', () => {
    expect(() => lockfileFor(app({ a: '2.0.0' }), PACKED)).toThrow('lockfile/package-lock.json has a@1.0.0, the app wants 2.0.0: run npm run lock');
  });
});

describe("the generator's lockfile", () => {
  const lockfile = JSON.parse(readFileSync(GENERATOR_LOCKFILE, 'utf8')) as Lockfile;

  it('resolves exactly the pins of src/versions.ts (after a change there, run npm run lock)', () => {
    expect(lockfile.packages['']).toMatchObject({ dependencies: RUNTIME_DEPENDENCY_VERSIONS, devDependencies: DEV_DEPENDENCY_VERSIONS });
  });

  // What npm install checks before it trusts a lockfile: every dependency of every package resolves, from where
  // that package sits, to a package the lockfile holds at a version the dependency accepts.
  it.each(PATTERN_SUBSETS.map((patterns) => [subsetName(patterns), patterns] as const))('gives the %s app a lockfile where every dependency resolves', (_, patterns) => {
    const packageJson = JSON.parse(readTree(renderPlan(defaultPlan(patterns)), 'package.json')) as ReturnType<typeof app>;
    const text = lockfileFor(packageJson);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    const packages = packagesOf(text);
    const unresolved: string[] = [];
    for (const [location, entry] of Object.entries(packages)) {
      const required = location === '' ? { ...entry.dependencies, ...(entry.devDependencies as Record<string, string>) } : entry.dependencies ?? {};
      for (const [name, spec] of Object.entries(required)) {
        if (name in (entry.optionalDependencies ?? {})) continue;
        const found = resolveFrom(packages, location, name);
        if (!found || !satisfies(String(packages[found]!.version), spec, { includePrerelease: true })) unresolved.push(`${location || '(app)'} → ${name}@${spec}`);
      }
    }
    expect(unresolved).toEqual([]);
    expect(packages['']).toMatchObject({ name: packageJson.name, dependencies: packageJson.dependencies, devDependencies: packageJson.devDependencies });
    // npm 11.16+ warns after every install about install scripts nobody approved; npm 12 skips them.
    const withScripts = Object.entries(packages).filter(([, entry]) => entry.hasInstallScript === true).map(([location]) => location.split('node_modules/').at(-1));
    expect(withScripts.filter((name) => !(packageJson as { allowScripts?: Record<string, boolean> }).allowScripts?.[name!])).toEqual([]);
  });
});

function resolveFrom(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  const segments = from === '' ? [] : from.split('/node_modules/');
  for (let depth = segments.length; depth >= 0; depth--) {
    const location = [...segments.slice(0, depth), name].join('/node_modules/');
    const candidate = depth === 0 ? `node_modules/${name}` : location;
    if (candidate in packages) return candidate;
  }
  return undefined;
}
