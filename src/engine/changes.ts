import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import { cannotRead, isErrno } from './fs-errors.js';
import { readTree, type RenderedTree } from './render.js';

export type ChangeKind = 'create' | 'update' | 'unchanged' | 'conflict';

export interface FileChange {
  path: string;
  kind: ChangeKind;
  /** What the generator wants the file to contain. */
  content: string;
  /** What is on disk now, when something is. */
  current?: string;
}

/**
 * Compares the in-memory tree with the target directory: what a write would create, leave as it is, or
 * overwrite (a conflict, which `create` refuses: it only writes into a missing or empty directory).
 */
export function diffTree(tree: RenderedTree, targetDir: string): FileChange[] {
  // One listing per folder tells which files exist; only those are read (a new project reads none).
  const listings = new Map<string, Set<string>>();
  const namesIn = (dir: string): Set<string> => {
    let names = listings.get(dir);
    if (!names) {
      // A folder is listed only when its parent holds it: a new project's folders cost no failing system calls.
      const parent = dirname(dir);
      names = dir === parent || namesIn(parent).has(basename(dir)) ? fileNames(join(targetDir, dir)) : new Set();
      listings.set(dir, names);
    }
    return names;
  };
  return tree.paths.map((path): FileChange => {
    const content = readTree(tree, path);
    const current = namesIn(dirname(path)).has(basename(path)) ? readIfExists(join(targetDir, path)) : undefined;
    if (current === undefined) return { path, kind: 'create', content };
    // A folder where the file must go: nothing to compare, and nothing the write may replace.
    if (current === null) return { path, kind: 'conflict', content };
    return { path, kind: current === content ? 'unchanged' : 'conflict', content, current };
  });
}

/** Names in a directory; none when it (or a parent) does not exist or is a file. */
function fileNames(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return new Set();
    throw cannotRead(dir, error);
  }
}

/** The file's text; undefined when nothing is there, null when something else is (a folder). */
function readIfExists(path: string): string | null | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // ENOTDIR: a parent is a file, so nothing exists here; the write step reports it properly.
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
    if (isErrno(error, 'EISDIR')) return null;
    throw cannotRead(path, error);
  }
}

/** Entries of a directory that make it "not empty" for a new project; a bare `.git` is allowed, as in create-vite. */
export function existingEntries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((entry) => entry !== '.git').sort();
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return refuseDanglingLink(dir);
    if (isErrno(error, 'ENOTDIR')) throw new UserError(`${dir} exists and is not a directory (or a parent of it is a file)`, ExitCode.Conflict);
    throw cannotRead(dir, error);
  }
}

/** The refusal of a folder that holds files (`why` says which), before the questions or after the diff. */
export function nonEmptyTargetError(dir: string, why: string, details: string[] = []): UserError {
  return new UserError(
    `${dir} is not empty; refusing to write into it (${why}). Choose a new directory, or use \`create-serverless-app add\` inside an existing project.`,
    ExitCode.Conflict,
    details,
  );
}

/** A missing target is fine, but not a link to a missing folder: the files cannot be written through it. */
function refuseDanglingLink(dir: string): [] {
  const link = lstatSync(dir, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) throw new UserError(`${dir} is a symbolic link to ${readlinkSync(dir)}, which does not exist`, ExitCode.Conflict);
  return [];
}
