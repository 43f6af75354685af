import { ExitCode, UserError } from '../exit-codes.js';

// File system errors as users read them. A module of its own, free of the engine's imports (memfs, Handlebars),
// so that doctor and the manifest reader use it without loading them.

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** The target cannot be read (a name too long, a symlink loop…): the user's to fix, not a bug to report. */
export function cannotRead(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? error : new UserError(`cannot read ${path}: ${describeFsError(error)}`, ExitCode.FileSystem);
}

/** A file system failure in words a user can act on. */
export function describeFsError(error: unknown): string {
  if (isErrno(error, 'EACCES') || isErrno(error, 'EPERM')) return 'permission denied';
  if (isErrno(error, 'EISDIR')) return 'it is a folder';
  if (isErrno(error, 'ENOTDIR')) return 'a parent path is a file, not a directory';
  if (isErrno(error, 'EROFS')) return 'read-only file system';
  if (isErrno(error, 'ENOSPC')) return 'no space left on device';
  if (isErrno(error, 'EFBIG')) return 'a file is larger than the file size limit (ulimit -f)';
  if (isErrno(error, 'EEXIST')) return 'a file appeared while writing';
  if (isErrno(error, 'ENAMETOOLONG')) return 'a name in the path is too long for the file system';
  if (isErrno(error, 'ELOOP')) return 'too many symbolic links (a link that points back to itself?)';
  // Parents are created first, so a missing one means the file system takes no new folders there (e.g. /proc).
  if (isErrno(error, 'ENOENT')) return 'this file system does not allow creating folders there';
  return error instanceof Error ? error.message : String(error);
}
