import { readFileSync } from 'node:fs';
import { GENERATOR_LOCKFILE, lockfilePack } from '../templates-dir.js';

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

/**
 * The generator's lockfile as `npm run build` packs it into dist/lockfile.pack.json: every dependency already
 * resolved to the package it finds (by index), and every entry already printed. Cutting an app's lockfile is
 * then a walk over numbers and a join of texts (~8 ms cold), where parsing, resolving and printing the whole
 * lockfile took ~21 ms of each run.
 */
export interface LockfilePack {
  lockfileVersion: number;
  /** The generator's pins: its lockfile root's dependencies and devDependencies. */
  pins: Specs;
  /** Each package's location, in the lockfile's order; the lists below are by the same index. */
  locations: string[];
  /** Each package's entry as it stands in a lockfile: JSON, indented for its place under "packages". */
  entries: string[];
  /** Each entry's own flags (the FLAG bits below). */
  flags: number[];
  /** Each package's dependencies: [index of the package it resolves to, EDGE kind]; unresolved optional ones left out. */
  edges: [number, number][][];
}

const FLAG = { dev: 1, optional: 2, devOptional: 4, peer: 8 } as const;
type Flag = keyof typeof FLAG;
const EDGE = { dependency: 0, optional: FLAG.optional, peer: FLAG.peer, optionalPeer: FLAG.optional | FLAG.peer } as const;

/** At build time (and from sources, where there is no build): the lockfile resolved and printed once. */
export function packLockfile(lockfile: Lockfile): LockfilePack {
  const locations = Object.keys(lockfile.packages).filter((location) => location !== '');
  const indexOf = new Map(locations.map((location, index) => [location, index]));
  const root = lockfile.packages['']!;
  return {
    lockfileVersion: lockfile.lockfileVersion,
    pins: { ...root.dependencies, ...(root.devDependencies as Specs | undefined) },
    locations,
    entries: locations.map((location) => printed(lockfile.packages[location]!)),
    flags: locations.map((location) => flagBits(lockfile.packages[location]!)),
    edges: locations.map((from) => {
      const { dependencies = {}, optionalDependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = lockfile.packages[from]!;
      const edges: [number, number][] = [];
      const edge = (name: string, kind: number, required: boolean) => {
        const location = resolve(lockfile.packages, from, name);
        if (location !== undefined) edges.push([indexOf.get(location)!, kind]);
        else if (required) throw new Error(`lockfile/package-lock.json has no ${name} for ${from}: run npm run lock`);
      };
      for (const name of Object.keys(dependencies)) if (!(name in optionalDependencies)) edge(name, EDGE.dependency, true);
      for (const name of Object.keys(optionalDependencies)) edge(name, EDGE.optional, false);
      for (const name of Object.keys(peerDependencies)) {
        const optional = peerDependenciesMeta[name]?.optional === true;
        edge(name, optional ? EDGE.optionalPeer : EDGE.peer, !optional);
      }
      return edges;
    }),
  };
}

let generatorLockfile: LockfilePack | undefined;

function loadGeneratorLockfile(): LockfilePack {
  generatorLockfile ??= lockfilePack() ?? packLockfile(JSON.parse(readFileSync(GENERATOR_LOCKFILE, 'utf8')) as Lockfile);
  return generatorLockfile;
}

/** The app's package-lock.json text, as npm writes it. */
export function lockfileFor(app: AppPackageJson, lockfile: LockfilePack = loadGeneratorLockfile()): string {
  for (const [name, spec] of Object.entries({ ...app.dependencies, ...app.devDependencies })) {
    // A pin changed in src/versions.ts without `npm run lock`: a build bug, caught by the generator's tests.
    if (lockfile.pins[name] !== spec) throw new Error(`lockfile/package-lock.json has ${name}@${lockfile.pins[name] ?? '(none)'}, the app wants ${spec}: run npm run lock`);
  }

  // npm's flags: a package is `dev` unless some path to it avoids devDependencies, `optional` unless some path
  // avoids optional edges, `peer` unless some path avoids peer edges; `devOptional` unless a path avoids both.
  // `how` is what the path so far has been only (dev, optional, peer bits); -1 marks a package not reached.
  const reached = new Array<number>(lockfile.locations.length).fill(-1);
  const reach = (index: number, how: number): void => {
    const incoming = how | (how & (FLAG.dev | FLAG.optional) ? FLAG.devOptional : 0);
    const known = reached[index]!;
    const next = known === -1 ? incoming : known & incoming;
    if (next === known) return;
    reached[index] = next;
    for (const [to, kind] of lockfile.edges[index]!) reach(to, (next & ~FLAG.devOptional) | kind);
  };
  const top = new Map(lockfile.locations.flatMap((location, index) => (location.lastIndexOf('node_modules/') === 0 ? [[location.slice('node_modules/'.length), index]] : [])));
  for (const [names, how] of [[Object.keys(app.dependencies), 0], [Object.keys(app.devDependencies), FLAG.dev]] as const) {
    for (const name of names) {
      const index = top.get(name);
      if (index === undefined) throw new Error(`lockfile/package-lock.json has no ${name} for the app: run npm run lock`);
      reach(index, how);
    }
  }

  const root = { name: app.name, version: app.version, dependencies: app.dependencies, devDependencies: app.devDependencies, ...(app.engines ? { engines: app.engines } : {}) };
  const head = JSON.stringify({ name: app.name, version: app.version, lockfileVersion: lockfile.lockfileVersion, requires: true, packages: { '': root } }, null, 2);
  const CLOSING = '\n  }\n}';
  let text = head.slice(0, -CLOSING.length);
  reached.forEach((bits, index) => {
    if (bits === -1) return;
    // What npm writes: devOptional only for a package that is neither dev nor optional.
    const wanted = bits & FLAG.devOptional && bits & (FLAG.dev | FLAG.optional) ? bits & ~FLAG.devOptional : bits;
    // Most packages keep the flags they have in the generator's lockfile: those entries are taken as printed.
    const entry = wanted === lockfile.flags[index] ? lockfile.entries[index] : printed(withFlags(JSON.parse(lockfile.entries[index]!) as LockedPackage, wanted));
    text += `,\n    ${JSON.stringify(lockfile.locations[index])}: ${entry}`;
  });
  return `${text}${CLOSING}\n`;
}

/** An entry as it stands under "packages": JSON, indented by two levels. */
function printed(entry: LockedPackage): string {
  return JSON.stringify(entry, null, 2).replaceAll('\n', '\n    ');
}

function flagBits(entry: LockedPackage): number {
  return (Object.keys(FLAG) as Flag[]).reduce((bits, flag) => (entry[flag] === true ? bits | FLAG[flag] : bits), 0);
}

const LEADING_FIELDS = ['version', 'resolved', 'integrity'];

/**
 * The entry with these flags (only those that are set), each where npm puts it, so that npm rewrites nothing:
 * after the version and integrity, before the first field that sorts after it (npm's fields there are sorted).
 */
function withFlags(entry: LockedPackage, bits: number): LockedPackage {
  const fields = Object.entries(entry).filter(([field]) => !(field in FLAG));
  for (const flag of Object.keys(FLAG) as Flag[]) {
    if (!(bits & FLAG[flag])) continue;
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
