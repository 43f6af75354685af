import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import type { FileChange } from './changes.js';
import { describeFsError, isErrno } from './fs-errors.js';

/**
 * Writes creates and updates as one transaction: if any write fails, files created so far are removed,
 * updated files get their previous content back and directories this call created are removed again. What the
 * file system refuses outright (a read-only folder or file) is refused before the first write.
 * Conflicts must have been resolved before; a leftover one is a bug.
 */
export function applyChanges(targetDir: string, changes: readonly FileChange[]): void {
  const conflicts = changes.filter((change) => change.kind === 'conflict');
  if (conflicts.length > 0) throw new Error(`applyChanges called with unresolved conflicts: ${conflicts.map((c) => c.path).join(', ')}`);

  refuseUnwritable(targetDir, changes);
  const writes = changes.filter((change) => change.kind !== 'unchanged');
  const createdDirs: string[] = [];
  const done: FileChange[] = [];
  // What an update replaces, as bytes: `current` is text, which a file in another encoding does not round-trip.
  const previous = new Map<FileChange, Buffer>();
  let writing: FileChange | undefined;
  try {
    // Synchronous on purpose: a few hundred small files are written faster one after another than through
    // the thread pool, and a failure stops the writing at once.
    for (const dir of new Set(writes.map((change) => dirname(join(targetDir, change.path))))) {
      const firstCreated = makeDirectory(dir);
      if (firstCreated) createdDirs.push(firstCreated);
    }
    for (const change of writes) {
      writing = change;
      if (change.kind === 'update') previous.set(change, readFileSync(join(targetDir, change.path)));
      writeFileSync(join(targetDir, change.path), change.content, { flag: change.kind === 'create' ? 'wx' : 'w' });
      done.push(change);
    }
  } catch (error) {
    if (writing && !done.includes(writing) && leftBehind(join(targetDir, writing.path), writing, error)) done.push(writing);
    const notRestored = rollBack(targetDir, done, previous, createdDirs);
    const undone = notRestored.length === 0 ? 'nothing was written' : `and ${notRestored.join(', ')} could not be put back as ${notRestored.length > 1 ? 'they were' : 'it was'}`;
    // The file that failed, when one did: "permission denied" alone does not say which of a hundred files is read-only.
    const failed = writing ? join(targetDir, writing.path) : targetDir;
    throw cannotWrite(failed, error, undone);
  }
}

/**
 * Refuses, before anything is written, what the file system would refuse: a folder that takes no new entries, a
 * file where a folder must be, a read-only file to update. Writes nothing, so `--dry-run` fails as the run would.
 * It names the path the write would fail on: for a create, the first one made below the nearest existing folder.
 */
export function refuseUnwritable(targetDir: string, changes: readonly FileChange[]): void {
  const checkedDirs = new Set<string>();
  for (const change of changes) {
    const path = join(targetDir, change.path);
    let refused = path;
    try {
      if (change.kind === 'update') accessSync(path, constants.W_OK);
      if (change.kind !== 'create' || checkedDirs.has(dirname(path))) continue;
      checkedDirs.add(dirname(path));
      while (!exists(dirname(refused))) refused = dirname(refused);
      checkCanCreateIn(dirname(refused));
    } catch (error) {
      throw cannotWrite(refused, error, 'nothing was written');
    }
  }
}

/** Whether something is at `path`; a dangling link counts, as it does for `makeDirectory`. */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    // ENOTDIR: a parent is a file, which the walk up reaches.
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return false;
    throw error;
  }
}

/** Throws what creating an entry in `dir` would: ENOTDIR for a file, EACCES, EPERM or EROFS for a folder that takes none. */
function checkCanCreateIn(dir: string): void {
  if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  accessSync(dir, constants.W_OK | constants.X_OK);
}

function cannotWrite(path: string, error: unknown, undone: string): UserError {
  return new UserError(`cannot write ${path}: ${describeFsError(error)}; ${undone}`, ExitCode.FileSystem);
}

/**
 * Creates `dir` and its missing parents, top-down; returns the topmost one created (undefined if `dir` existed).
 * Not `mkdirSync(dir, { recursive: true })`: Node's retries forever where mkdir answers ENOENT below an existing
 * folder (anywhere under /proc), so a typo'd target would hang the CLI instead of failing.
 */
function makeDirectory(dir: string): string | undefined {
  const missing: string[] = [];
  for (let path = dir; !lstatSync(path, { throwIfNoEntry: false }); path = dirname(path)) missing.unshift(path);
  for (const path of missing) mkdirSync(path);
  return missing[0];
}

/**
 * Whether the write that failed changed the file anyway: opening it can succeed (creating or truncating it)
 * before the write fails, e.g. on a full disk. A `wx` open refusing an existing file created nothing of ours.
 */
function leftBehind(path: string, change: FileChange, error: unknown): boolean {
  if (change.kind !== 'create') return true;
  if (isErrno(error, 'EEXIST')) return false;
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Undoes the writes, and returns the files it could not put back. A file still as it was is not written: the
 * one whose write failed was mostly refused before any change (read-only), and would refuse its restore too.
 * One failed restore does not stop the others.
 */
function rollBack(targetDir: string, done: readonly FileChange[], previous: ReadonlyMap<FileChange, Buffer>, createdDirs: readonly string[]): string[] {
  const notRestored: string[] = [];
  for (const change of [...done].reverse()) {
    const path = join(targetDir, change.path);
    const bytes = previous.get(change);
    try {
      if (change.kind === 'create') rmSync(path, { force: true });
      else if (bytes !== undefined && !readFileSync(path).equals(bytes)) writeFileSync(path, bytes);
    } catch {
      notRestored.push(change.path);
    }
  }
  // Deepest first; a directory that still holds something the user put there is left alone.
  for (const dir of [...createdDirs].sort((a, b) => b.length - a.length)) {
    removeEmptyTree(dir);
  }
  return notRestored;
}

/** Removes a directory tree bottom-up, but only directories that are empty: never a file. */
function removeEmptyTree(dir: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) removeEmptyTree(join(dir, entry.name));
  }
  try {
    rmdirSync(dir);
  } catch {
    // rmdir refuses a non-empty directory: whatever else lives there stays.
  }
}
