import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import { cannotRead } from './fs-errors.js';
import { PATTERN_IDS, type JsonObject, type JsonValue } from '../patterns/types.js';
import { isPackageManager, PACKAGE_MANAGERS, type PackageManager } from './package-manager.js';
import type { Answers } from './plan.js';
import { withoutBom } from './byte-order-mark.js';
import { sortKeys } from './json-merge.js';

/** The generated project's record of how it was made: render.ts writes it, `add` and `doctor` read it. */
export const MANIFEST_PATH = '.create-serverless-app.json';

/**
 * local.settings.json: generated, but git ignores it, for it holds each developer's connection strings and keys.
 * A fresh clone has none without anyone having deleted it, and a diff must not print its values.
 */
export function isMachineLocal(path: string): boolean {
  return path === 'local.settings.json';
}

/** How the manifest fingerprints a generated file's content. */
export function sha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Whether a value of the manifest's `files` is a sha256 in hex: as `sha256` writes it, or in upper case, as a team
 * recording a file of its own may have it from its tools (PowerShell's Get-FileHash).
 */
export function isFileHash(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/i.test(value);
}

/** Whether `content` is what the manifest's `hash` of it (see isFileHash) fingerprints. */
export function hashMatches(content: string, hash: string): boolean {
  return sha256(content) === hash.toLowerCase();
}

/** A path as the manifest records them: relative to the project, `/`-separated, never leading out of it. */
export function isProjectPath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.includes('\\') && !path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
}

/** `.create-serverless-app.json`, as render.ts writes it. */
export interface Manifest {
  generator: { name: string; version: string };
  answers: Answers;
  /** The package manager the app was made for, whose commands its README shows; absent means npm. */
  packageManager?: PackageManager;
  /** `answersDigest` of the two above, so that `add` can tell they were edited; absent in manifests made before it was recorded. */
  answersSha256?: string;
  /** sha256 of every generated file, by path. */
  files: Record<string, string>;
}

/** The manifest's own keys, in the order render.ts writes them; any other top-level key is the user's, and `add` keeps it. */
const MANIFEST_KEYS: readonly string[] = ['generator', 'answers', 'packageManager', 'answersSha256', 'files'];

/**
 * Fingerprints what `add` regenerates the base of its merge from: the answers and the package manager (absent and
 * "npm" are one). Over canonical JSON, so that a manifest a formatter re-indented or reordered still matches. The
 * generator version is left out: `add` regenerates with its own templates whatever the version says. Covering more
 * (or less) would call for a new key name, or every manifest made before would read as edited.
 */
export function answersDigest(answers: unknown, packageManager: unknown): string {
  // Both come from JSON (the manifest, or the plan's answers). Keys sorted; arrays as they are: their order means something.
  const fingerprinted: JsonObject = { answers: answers as JsonValue, packageManager: (packageManager ?? 'npm') as JsonValue };
  return sha256(JSON.stringify(sortKeys(fingerprinted)));
}

/**
 * Whether the manifest's answers were edited since it was written. One without the digest was written by an older
 * version and is taken as it is, without a warning: refusing it would lock every existing project out of `add` for
 * nothing its users did, a warning would ask them to act where there is nothing to do (add's warning about the older
 * version already says to check the diffs), and the next `add` records the digest.
 */
export function answersEdited(manifest: { answers?: unknown; packageManager?: unknown; answersSha256?: unknown }): boolean {
  return manifest.answersSha256 !== undefined && manifest.answersSha256 !== answersDigest(manifest.answers, manifest.packageManager);
}

/**
 * The manifest `add` writes, `generated`, with the top-level keys the user added to `current` (a `$comment`, an
 * owner), each after the manifest key it followed there. The manifest's own keys are generated whole: parseManifest
 * refuses keys added inside them, which would be lost here.
 */
export function withUsersKeys(generated: string, current: string): string {
  const users = Object.entries(manifestJson(current) as Record<string, unknown>);
  if (users.every(([key]) => MANIFEST_KEYS.includes(key))) return generated;
  const after = new Map<string | undefined, [string, unknown][]>();
  let previous: string | undefined;
  for (const [key, value] of users) {
    if (MANIFEST_KEYS.includes(key)) previous = key;
    else after.set(previous, [...(after.get(previous) ?? []), [key, value]]);
  }
  const ordered: [string, unknown][] = [...(after.get(undefined) ?? [])];
  for (const [key, value] of Object.entries(JSON.parse(generated) as Record<string, unknown>)) ordered.push([key, value], ...(after.get(key) ?? []));
  return `${JSON.stringify(Object.fromEntries(ordered), null, 2)}\n`;
}

/** The manifest `generated`, with `entries` among its file hashes, in path order as render.ts writes them. */
export function withEntries(generated: string, entries: Readonly<Record<string, string>>): string {
  if (Object.keys(entries).length === 0) return generated;
  const manifest = JSON.parse(generated) as Manifest;
  const files = { ...manifest.files, ...entries };
  manifest.files = Object.fromEntries(Object.keys(files).sort().map((path) => [path, files[path]!]));
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The manifest's JSON, read past the byte order mark some editors (Notepad) put in front when they save it. */
function manifestJson(text: string): unknown {
  return JSON.parse(withoutBom(text));
}

export interface Project {
  root: string;
  manifest: Manifest;
  /** The manifest as read: what `add` updates, keeping the user's own keys, and checks is unchanged when it writes. */
  manifestText: string;
}

/**
 * Finds the project `start` belongs to: the nearest folder, `start` or above, holding the manifest (so
 * `add` works from `src/functions` as it does from the root, like git does).
 */
export async function findProject(start: string): Promise<Project> {
  const root = findProjectRoot(start);
  if (root === undefined) throw notAProject(start);
  const path = join(root, MANIFEST_PATH);
  const manifestText = await readManifest(path);
  return { root, manifest: parseManifest(manifestText, path), manifestText };
}

/** The nearest folder, `start` or above, holding the manifest; undefined when none does. */
export function findProjectRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, MANIFEST_PATH))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The manifest's text; one that cannot be read (no permission, a folder) is the user's to fix, not a crash. */
async function readManifest(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw cannotRead(path, error);
  }
}

function notAProject(start: string): UserError {
  const looksLikeFunctions = functionsProjectAt(start);
  const details = [
    `looked for ${MANIFEST_PATH} in ${start} and every folder above it.`,
    ...(looksLikeFunctions
      ? [
          'This is an Azure Functions project (package.json depends on @azure/functions, and host.json is here), but not one',
          `create-serverless-app generated: without ${MANIFEST_PATH} it cannot tell its own files from your edits, so it`,
          'will not merge into it. Generate the pattern in a new folder (create-serverless-app <dir> --pattern <id>) and',
          'copy the parts you need.',
        ]
      : ['Run it inside a project made with create-serverless-app, or pass the project folder with --dir.']),
  ];
  return new UserError('not inside a create-serverless-app project', ExitCode.Usage, details);
}

function functionsProjectAt(dir: string): boolean {
  try {
    const pkg = JSON.parse(withoutBom(readFileSync(join(dir, 'package.json'), 'utf8'))) as { dependencies?: Record<string, string> };
    return pkg.dependencies?.['@azure/functions'] !== undefined && existsSync(join(dir, 'host.json'));
  } catch {
    return false;
  }
}

/** Checks the shape a later command relies on; a hand-damaged manifest is reported, not trusted. */
function parseManifest(text: string, path: string): Manifest {
  const broken = (why: string) =>
    new UserError(`${path} is damaged: ${why}`, ExitCode.Usage, ['restore it from version control (git checkout -- .create-serverless-app.json)']);
  const checked = checkedManifest(text);
  if ('damage' in checked) throw broken(checked.damage);
  const { record } = checked;
  const outside = Object.keys(record.files).find((path) => !isProjectPath(path));
  if (outside !== undefined) throw broken(`it records ${outside}, a path outside the project`);
  // Regenerated from edited answers, the base of the merge is not what was written: generated files would pass
  // for the user's edits, and a present pattern's wiring be removed or doubled. A key added inside the answers too.
  if (answersEdited(record)) throw answersEditedError(path, 'they no longer match answersSha256');
  return record;
}

/** add's refusal of a manifest whose recorded answers were edited by hand; `evidence` says how that shows. */
export function answersEditedError(path: string, evidence: string): UserError {
  return new UserError(
    `${path}: its recorded answers were edited by hand (${evidence}), so add cannot tell what it generated from your edits; restore it from version control (git checkout -- ${MANIFEST_PATH}). Nothing was written`,
    ExitCode.Usage,
  );
}

/** Where a key of the user's is kept: said wherever one is found inside the parts `add` rewrites whole. */
const OWN_KEYS_BELONG = 'keys of your own belong at the top level, which add keeps';

/**
 * Why `add` cannot use the manifest's text (undefined when it can): the first damage found, as `add` refuses it and
 * `doctor` reports it. A path recorded outside the project, and answers edited by hand, are checked apart: doctor
 * names each such path, and edited answers are no damage to the file.
 */
export function manifestDamage(text: string): string | undefined {
  const checked = checkedManifest(text);
  return 'damage' in checked ? checked.damage : undefined;
}

/** The manifest's text parsed once: the record, or the first damage found (see manifestDamage). */
function checkedManifest(text: string): { record: Manifest } | { damage: string } {
  let value: unknown;
  try {
    value = manifestJson(text);
  } catch {
    // doctor reads JSON files with comments, as the Functions host does; add rewrites this one as plain JSON.
    return { damage: holdsComment(text) ? `it holds a comment, which JSON does not allow (${OWN_KEYS_BELONG}: a "$comment")` : 'it is not valid JSON' };
  }
  const damage = damageIn(value as Partial<Manifest> | null);
  return damage === undefined ? { record: value as Manifest } : { damage };
}

/** The first part of a parsed manifest that add cannot use, if any. */
function damageIn(record: Partial<Manifest> | null): string | undefined {
  if (typeof record?.generator?.version !== 'string') return 'no generator version';
  const ownKey = Object.keys(record.generator).find((key) => key !== 'name' && key !== 'version');
  if (ownKey !== undefined) return `unknown key generator.${ownKey} (${OWN_KEYS_BELONG})`;
  const answers = record.answers as Partial<Answers> | undefined;
  if (typeof answers?.name !== 'string' || typeof answers.location !== 'string' || !isRecord(answers.patterns)) return 'no recorded answers (name, location, patterns)';
  const unknown = Object.keys(answers.patterns).filter((id) => !(PATTERN_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) return `unknown pattern ${unknown.join(', ')} (made by a newer create-serverless-app?)`;
  if (record.packageManager !== undefined && !isPackageManager(record.packageManager)) {
    return `unknown package manager ${JSON.stringify(record.packageManager)} (one of ${PACKAGE_MANAGERS.join(', ')})`;
  }
  if (!isRecord(record.files)) return 'no file hashes';
  // Every value is a sha256 as render.ts writes it: anything else is a key of the user's, which add would drop.
  const notHash = Object.entries(record.files).find(([, hash]) => !isFileHash(hash));
  if (notHash !== undefined) return `files.${notHash[0]} is not a file hash (${OWN_KEYS_BELONG})`;
  return undefined;
}

/** Whether the text has a `//` or `/*` comment outside its strings (no JSON parser here: create loads this module). */
function holdsComment(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return true;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
