import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';

/**
 * Makes a file or folder refuse writes, and returns how to undo it; undefined where that cannot be done. Root
 * ignores file modes, so there it is made immutable (chattr +i), which only some file systems support.
 */
export function readOnly(path: string): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    const { mode } = statSync(path);
    chmodSync(path, mode & 0o555);
    return () => chmodSync(path, mode);
  }
  try {
    execFileSync('chattr', ['+i', path], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
}
