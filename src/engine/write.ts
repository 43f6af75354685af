import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import { isErrno, type FileChange } from './changes.js';

/**
 * Writes creates and updates as one transaction: if any write fails, files created so far are removed,
 * updated files get their previous content back and directories this call created are removed again.
 * Conflicts must have been resolved before; a leftover one is a bug.
 */
export async function applyChanges(targetDir: string, changes: readonly FileChange[]): Promise<void> {
  const conflicts = changes.filter((change) => change.kind === 'conflict');
  if (conflicts.length > 0) throw new Error(`applyChanges called with unresolved conflicts: ${conflicts.map((c) => c.path).join(', ')}`);

  const writes = changes.filter((change) => change.kind !== 'unchanged');
  const createdDirs: string[] = [];
  const done: FileChange[] = [];
  try {
    // Folders first, each once; then every file at once, which writes a few hundred small files several times faster.
    for (const dir of new Set(writes.map((change) => dirname(join(targetDir, change.path))))) {
      const firstCreated = await mkdir(dir, { recursive: true });
      if (firstCreated) createdDirs.push(firstCreated);
    }
    // allSettled, not all: the roll-back must not start while other writes are still landing.
    const results = await Promise.allSettled(
      writes.map(async (change) => {
        await writeFile(join(targetDir, change.path), change.content, { flag: change.kind === 'create' ? 'wx' : 'w' });
        done.push(change);
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await rollBack(targetDir, done, createdDirs);
    throw new UserError(`cannot write ${targetDir}: ${describeFsError(error)}; nothing was written`, ExitCode.FileSystem);
  }
}

async function rollBack(targetDir: string, done: readonly FileChange[], createdDirs: readonly string[]): Promise<void> {
  for (const change of [...done].reverse()) {
    const path = join(targetDir, change.path);
    if (change.kind === 'create') await rm(path, { force: true });
    else if (change.current !== undefined) await writeFile(path, change.current);
  }
  // Deepest first; a directory that still holds something the user put there is left alone.
  for (const dir of [...createdDirs].sort((a, b) => b.length - a.length)) {
    await removeEmptyTree(dir);
  }
}

/** Removes a directory tree bottom-up, but only directories that are empty: never a file. */
async function removeEmptyTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await removeEmptyTree(join(dir, entry.name));
  }
  // rmdir refuses a non-empty directory: whatever else lives there stays.
  await rmdir(dir).catch(() => undefined);
}

function describeFsError(error: unknown): string {
  if (isErrno(error, 'EACCES') || isErrno(error, 'EPERM')) return 'permission denied';
  if (isErrno(error, 'ENOTDIR')) return 'a parent path is a file, not a directory';
  if (isErrno(error, 'EROFS')) return 'read-only file system';
  if (isErrno(error, 'ENOSPC')) return 'no space left on device';
  if (isErrno(error, 'EEXIST')) return 'a file appeared while writing';
  return error instanceof Error ? error.message : String(error);
}
