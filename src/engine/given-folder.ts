import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import { cannotRead, isErrno } from './fs-errors.js';

/**
 * The project folder a command was given (`add --dir`, `doctor <directory>`), resolved against `cwd`; `given` is
 * how the user typed it, which the refusals start with. It must be a folder: from one that does not exist, the search
 * for the manifest would go on above it and could find another project than the one meant (a typo inside a project
 * finds that project), and from a file, the project around it would be taken without a word.
 */
export function givenFolder(cwd: string, dir: string, given: string): string {
  const folder = resolve(cwd, dir);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) throw new UserError(`${given}: the folder does not exist`, ExitCode.Usage);
    throw cannotRead(folder, error);
  }
  if (!isFolder) throw new UserError(`${given}: not a folder (give the project folder, or a folder inside it)`, ExitCode.Usage);
  return folder;
}
