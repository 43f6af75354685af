import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import { cannotRead, isErrno } from './fs-errors.js';

/**
 * The project folder a command was given (`add --dir`, `doctor <directory>`), resolved against `cwd`; `label` is the
 * flag or command it was given to, which the refusals start with. It must be a folder: from one that does not exist,
 * the search for the manifest would go on above it and could find another project than the one meant (a typo inside a
 * project finds that project), and from a file, the project around it would be taken without a word. An empty one (an
 * unset shell variable, `--dir "$APP"`) would resolve to the working directory, and take the project around it.
 */
export function givenFolder(cwd: string, dir: string, label: string): string {
  if (dir.trim() === '') throw new UserError(`${label} ${JSON.stringify(dir)}: an empty path (an unset shell variable?); give the project folder (. for the current one)`, ExitCode.Usage);
  const given = `${label} ${dir}`;
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
