import { readFileSync } from 'node:fs';
import { GENERATOR_LOCKFILE } from '../templates-dir.js';

/**
 * A new app's package-lock.json, cut from the generator's lockfile (`npm run lock` resolves every package an app
 * may depend on into lockfile/package-lock.json): the packages the app's own dependencies reach, flagged as npm
 * flags them. Its first `npm install` then fetches no package metadata (half the install time without it), and
 * it installs exactly the versions the generator's end-to-end tests ran with.
 */

type Specs = Record<string, string>;

export interface LockedPackage {
  dependencies?: Specs;
  optionalDependencies?: Specs;
  peerDependencies?: Specs;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [field: string]: unknown;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockedPackage>;
}

export interface AppPackageJson {
  name: string;
  version: string;
  dependencies: Specs;
  devDependencies: Specs;
  engines?: Record<string, string>;
}

let generatorLockfile: Lockfile | undefined;

function loadGeneratorLockfile(): Lockfile {
  generatorLockfile ??= JSON.parse(readFileSync(GENERATOR_LOCKFILE, 'utf8')) as Lockfile;
  return generatorLockfile;
}

/** How a package was reached: through devDependencies, optional edges, peer edges (each "only" so far). */
interface Reach {
  dev: boolean;
  optional: boolean;
  peer: boolean;
}

/** The app's package-lock.json text, as npm writes it. */
export function lockfileFor(app: AppPackageJson, lockfile: Lockfile = loadGeneratorLockfile()): string {
  const locked = lockfile.packages;
  const rootSpecs = { ...locked['']?.dependencies, ...(locked['']?.devDependencies as Specs | undefined) };
  for (const [name, spec] of Object.entries({ ...app.dependencies, ...app.devDependencies })) {
    // A pin changed in src/versions.ts without `npm run lock`: a build bug, caught by the generator's tests.
    if (rootSpecs[name] !== spec) throw new Error(`lockfile/package-lock.json has ${name}@${rootSpecs[name] ?? '(none)'}, the app wants ${spec}: run npm run lock`);
  }

  // npm's flags: a package is `dev` unless some path to it avoids devDependencies, `optional` unless some path
  // avoids optional edges, `peer` unless some path avoids peer edges; `devOptional` unless a path avoids both.
  const flags = new Map<string, Reach & { devOptional: boolean }>();
  const reach = (from: string, name: string, how: Reach, required: boolean): void => {
    const location = resolve(locked, from, name);
    if (location === undefined) {
      if (required) throw new Error(`lockfile/package-lock.json has no ${name} for ${from || 'the app'}: run npm run lock`);
      return;
    }
    const known = flags.get(location);
    const next = {
      dev: (known?.dev ?? true) && how.dev,
      optional: (known?.optional ?? true) && how.optional,
      peer: (known?.peer ?? true) && how.peer,
      devOptional: (known?.devOptional ?? true) && (how.dev || how.optional),
    };
    if (known && Object.entries(next).every(([flag, value]) => known[flag as keyof typeof known] === value)) return;
    flags.set(location, next);
    const { dependencies = {}, optionalDependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = locked[location]!;
    for (const dependency of Object.keys(dependencies)) {
      if (!(dependency in optionalDependencies)) reach(location, dependency, next, true);
    }
    for (const dependency of Object.keys(optionalDependencies)) reach(location, dependency, { ...next, optional: true }, false);
    for (const dependency of Object.keys(peerDependencies)) {
      const optional = peerDependenciesMeta[dependency]?.optional === true;
      reach(location, dependency, { ...next, optional: next.optional || optional, peer: true }, !optional);
    }
  };
  for (const name of Object.keys(app.dependencies)) reach('', name, { dev: false, optional: false, peer: false }, true);
  for (const name of Object.keys(app.devDependencies)) reach('', name, { dev: true, optional: false, peer: false }, true);

  const root = { name: app.name, version: app.version, dependencies: app.dependencies, devDependencies: app.devDependencies, ...(app.engines ? { engines: app.engines } : {}) };
  const packages: Record<string, LockedPackage> = { '': root };
  for (const [location, entry] of Object.entries(locked)) {
    const flag = flags.get(location);
    if (location === '' || !flag) continue;
    const wanted = { dev: flag.dev, optional: flag.optional, devOptional: flag.devOptional && !flag.dev && !flag.optional, peer: flag.peer };
    // Most packages keep the flags they have in the generator's lockfile: those entries are taken as they are.
    const same = Object.entries(wanted).every(([name, set]) => (entry[name] === true) === set);
    packages[location] = same ? entry : withFlags(entry, wanted);
  }
  return `${JSON.stringify({ name: app.name, version: app.version, lockfileVersion: lockfile.lockfileVersion, requires: true, packages }, null, 2)}\n`;
}

const LEADING_FIELDS = ['version', 'resolved', 'integrity'];

/**
 * The entry with these flags (only those that are true), each where npm puts it, so that npm rewrites nothing:
 * after the version and integrity, before the first field that sorts after it (npm's fields there are sorted).
 */
function withFlags(entry: LockedPackage, flags: Record<'dev' | 'optional' | 'devOptional' | 'peer', boolean>): LockedPackage {
  const fields = Object.entries(entry).filter(([field]) => !(field in flags));
  for (const [flag, set] of Object.entries(flags)) {
    if (!set) continue;
    const before = fields.findIndex(([field]) => !LEADING_FIELDS.includes(field) && field > flag);
    fields.splice(before === -1 ? fields.length : before, 0, [flag, true]);
  }
  return Object.fromEntries(fields) as LockedPackage;
}

/** Where Node finds `name` from the package at `from`: its own node_modules, then each parent's, up to the app's. */
function resolve(locked: Lockfile['packages'], from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (candidate in locked) return candidate;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}
