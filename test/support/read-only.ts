import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { onTestFinished } from 'vitest';

/**
 * Makes a file or folder refuse writes, and returns how to undo it; undefined where that cannot be done. Root
 * ignores file modes, so there it is made immutable (chattr +i), which only some file systems support. Undone
 * again when the test ends, whatever happened in it: its scratch folder could not be removed otherwise.
 */
export function readOnly(path: string): (() => void) | undefined {
  const undo = makeReadOnly(path);
  // onTestFinished callbacks run last registered first: this one before the removal of the folder made earlier.
  if (undo) onTestFinished(undo);
  return undo;
}

function makeReadOnly(path: string): (() => void) | undefined {
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
