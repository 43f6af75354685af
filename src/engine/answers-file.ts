import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { visit } from 'jsonc-parser';
import { ExitCode, UserError } from '../exit-codes.js';
import { findPatternId, PATTERN_IDS, PATTERNS } from '../patterns/index.js';
import type { PatternId } from '../patterns/types.js';
import { withoutBom } from './byte-order-mark.js';
import { isErrno } from './fs-errors.js';
import { isPackageManager, PACKAGE_MANAGERS, type PackageManager } from './package-manager.js';

/** The answers a file may give; the same shape as `answers` in a generated project's manifest. */
export interface AnswersFile {
  name?: string;
  location?: string;
  patterns?: Partial<Record<PatternId, Record<string, unknown>>>;
  /** A whole manifest's package manager (absent there means npm), so that re-creating the app re-creates its README too. */
  packageManager?: PackageManager;
  /** How errors name the file, once and first: `--answers <path as typed>`. */
  source?: string;
  /** Key paths in the file, for errors: `patterns` (`answers.patterns` in a manifest, none in a bare map of options). */
  keys?: { answers: string; patterns: string };
}

/**
 * Where a value sits in the file, for errors: `patterns.http-api.auth` (`answers.patterns.http-api.auth` in a
 * manifest). Files built without `loadAnswersFile` (tests) use the answers-file layout.
 */
export function keyPathIn(file: AnswersFile, ...path: string[]): string {
  const { answers, patterns } = file.keys ?? { answers: '', patterns: 'patterns' };
  const [first, ...rest] = path;
  const parent = first === 'name' || first === 'location' ? answers : patterns;
  return [parent, first, ...rest].filter((key) => key !== '').join('.');
}

/** Whether the file is a whole manifest: a record of another app, whose every pattern it lists. */
export function isManifest(file: AnswersFile): boolean {
  return file.keys?.answers === 'answers';
}

const ANSWER_KEYS = ['name', 'location', 'patterns'] as const;

/** An answers file is a few lines; reading on past this, /dev/zero or an endless pipe would hang the run. */
const MAX_ANSWERS_BYTES = 1024 * 1024;

/** The file's bytes, read up to its end (a pipe's too, which has no size to check first); undefined past `limit`. */
async function readAtMost(path: string, limit: number): Promise<Buffer | undefined> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(limit + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) return buffer.subarray(0, length);
      length += bytesRead;
      if (length > limit) return undefined;
    }
  } finally {
    await file.close();
  }
}

/**
 * Reads `--answers <file>` (JSON or YAML): answers, a whole manifest, or just pattern options keyed by pattern
 * id (what `add` needs). Shape errors name the key at fault; option values are checked later by the patterns'
 * own parsers, exactly as flags are.
 */
export async function loadAnswersFile(path: string, shownAs = path): Promise<AnswersFile> {
  const source = `--answers ${shownAs}`;
  const fail = (message: string, details: readonly string[] = []) => new UserError(`${source}: ${message}`, ExitCode.Usage, details);
  let bytes: Buffer | undefined;
  try {
    bytes = await readAtMost(path, MAX_ANSWERS_BYTES);
  } catch (error) {
    throw fail(isErrno(error, 'ENOENT') ? 'file not found' : isErrno(error, 'EISDIR') ? 'is a directory' : 'cannot be read');
  }
  if (bytes === undefined) throw fail('is larger than 1 MiB, which no answers file is');
  let text: string;
  try {
    // The byte order mark a Windows editor saves is dropped by the shared helper, as the manifest and doctor drop it,
    // not left to TextDecoder's default (JSON.parse refuses it).
    text = withoutBom(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    throw fail('is not valid UTF-8 text');
  }

  const data = await parseAnswers(text, extname(path).toLowerCase(), fail);
  if (!isPlainObject(data)) throw fail('must contain an object with name, location and patterns');

  // Every problem of the file's shape at once, as every invalid value is: a pipeline fixed one key per run.
  const problems: string[] = [];
  const note = (problem: string) => void problems.push(problem);
  const read = (answers: AnswersFile): AnswersFile => {
    if (problems.length === 1) throw fail(problems[0]!);
    if (problems.length > 1) throw fail(`${problems.length} problems:`, problems);
    return answers;
  };

  const keys = Object.keys(data);
  // Options keyed by pattern id, what add takes: one misspelt id among them is an unknown pattern, not an unknown key of answers.
  if (keys.some((key) => findPatternId(key) !== undefined) && !keys.some((key) => key === 'answers' || (ANSWER_KEYS as readonly string[]).includes(key))) {
    const bare = { answers: '', patterns: '' };
    return read({ patterns: readPatterns(data, note, bare), source, keys: bare });
  }
  // A whole manifest keeps the answers one level down; its other top-level keys are the generator's or a team's own.
  const manifest = keys.includes('answers') && !keys.some((key) => (ANSWER_KEYS as readonly string[]).includes(key));
  const answers = manifest ? data.answers : data;
  const layout = manifest ? { answers: 'answers', patterns: 'answers.patterns' } : { answers: '', patterns: 'patterns' };
  if (!isPlainObject(answers)) throw fail('"answers" must be an object');

  const unknown = Object.keys(answers).filter((key) => !(ANSWER_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) note(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${ANSWER_KEYS.join(', ')})`);
  for (const key of ['name', 'location'] as const) {
    if (answers[key] !== undefined && typeof answers[key] !== 'string') note(`"${key}" must be a string`);
  }
  if (manifest && data.packageManager !== undefined && !isPackageManager(data.packageManager)) {
    note(`"packageManager" must be one of ${PACKAGE_MANAGERS.join(', ')}`);
  }
  return read({
    name: answers.name as string | undefined,
    location: answers.location as string | undefined,
    patterns: readPatterns(answers.patterns, note, layout),
    ...(manifest && { packageManager: (data.packageManager as PackageManager | undefined) ?? 'npm' }),
    source,
    keys: layout,
  });
}

/**
 * By the extension, else JSON and then YAML: a file whose name says nothing (`--answers <(…)`, /dev/stdin) may
 * hold either.
 */
async function parseAnswers(text: string, extension: string, fail: (message: string, details?: readonly string[]) => UserError): Promise<unknown> {
  const json = extension === '.json';
  const yaml = extension === '.yaml' || extension === '.yml';
  if (!yaml) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      if (json) throw fail(`is not valid JSON: ${(error as Error).message}`);
    }
    if (data !== undefined) {
      const repeated = repeatedKey(text);
      if (repeated) throw fail(`is not valid JSON: ${repeated}`);
      return data;
    }
  }
  try {
    // yaml is CommonJS under Node: its exports object is the default export, bundled or not.
    const document = (await import('yaml')).default.parseDocument(text);
    // A warning (a tag it cannot resolve, `!Ref`) is refused as an error is: yaml.parse printed it through
    // process.emitWarning, over several lines, and went on with the bare value.
    const [problem] = [...document.errors, ...document.warnings];
    // yaml's advice for this one ("please use YAML.parseAllDocuments()") is for programmers; its line stays.
    if (problem?.code === 'MULTIPLE_DOCS') problem.message = problem.message.replace(/^.*?(?= at line )/, 'it holds several documents (a --- line starts another), where answers are one,');
    if (problem) throw problem;
    return document.toJS();
  } catch (error) {
    // yaml's message ends its first line with a colon and goes on with an excerpt of the file: the line is the
    // error, the excerpt its details.
    const [first = '', ...excerpt] = (error as Error).message.trimEnd().split('\n');
    const what = yaml ? 'not valid YAML' : 'neither valid JSON nor YAML';
    throw fail(`is ${what}: ${first.replace(/:\s*$/, '')}`, excerpt.filter((line) => line.trim() !== ''));
  }
}

/**
 * The first key an object of the JSON text repeats, with where: JSON.parse keeps the last value without a word,
 * where YAML refuses the file.
 */
function repeatedKey(text: string): string | undefined {
  const objects: Set<string>[] = [];
  let found: string | undefined;
  visit(text, {
    onObjectBegin: () => void objects.push(new Set()),
    onObjectEnd: () => void objects.pop(),
    onObjectProperty: (key, _offset, _length, line, column) => {
      const keys = objects.at(-1)!;
      if (keys.has(key)) found ??= `"${key}" appears twice in one object at line ${line + 1}, column ${column + 1}`;
      keys.add(key);
    },
  });
  return found;
}

/** `patterns` is an object of pattern id → options, or a plain list of ids when no option is set; what is wrong is noted. */
function readPatterns(value: unknown, note: (problem: string) => void, keys: NonNullable<AnswersFile['keys']>): AnswersFile['patterns'] {
  if (value === undefined) return undefined;
  // YAML's `- http-api:` with options under it, where `http-api:` was meant: as an id it read "[object Object]".
  const listed = Array.isArray(value) ? value.find((item) => typeof item === 'object' && item !== null) : undefined;
  if (listed !== undefined) {
    const example = (isPlainObject(listed) && Object.keys(listed)[0]) || PATTERN_IDS[0];
    return void note(`"patterns" as a list holds pattern ids only; to give options, make it an object of pattern id → options (in YAML, "${example}:" under "patterns:" without "- ")`);
  }
  if (!Array.isArray(value) && !isPlainObject(value)) return void note('"patterns" must be an object of pattern id → options, or a list of ids');
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((id) => [String(id), {}]) : Object.entries(value);
  if (entries.length === 0) return void note('"patterns" must name at least one pattern');
  const unknown = entries.map(([id]) => id).filter((id) => findPatternId(id) === undefined);
  const where = keys.patterns === '' ? '' : ' in "patterns"';
  if (unknown.length > 0) note(`unknown pattern ${unknown.map((id) => `"${id}"`).join(', ')}${where}; valid patterns: ${PATTERN_IDS.join(', ')}`);
  // Keyed by the canonical id, which is what the manifest records: `HTTP-API` and `http-api` are one pattern.
  const patterns: Partial<Record<PatternId, Record<string, unknown>>> = {};
  for (const [typed, given] of entries) {
    const id = findPatternId(typed);
    if (id === undefined) continue;
    // `http-api:` with nothing after it, YAML's null: the pattern with its defaults, as `http-api: {}`.
    const options = given ?? {};
    if (!isPlainObject(options)) {
      note(`"patterns.${typed}" must be an object of options`);
      continue;
    }
    // A list may repeat an id harmlessly; two objects of options for one pattern leave no way to tell which wins.
    if (id in patterns && !Array.isArray(value)) note(`"patterns" names ${id} twice`);
    // Refused here, where the file can be named; a flag cannot be unknown (commander refuses it).
    const known = Object.keys(PATTERNS[id].options);
    const unknownOptions = Object.keys(options).filter((key) => !Object.hasOwn(PATTERNS[id].options, key));
    if (unknownOptions.length > 0) {
      const paths = unknownOptions.map((key) => keyPathIn({ keys }, typed, key));
      const listedOptions = known.length > 0 ? `options: ${known.join(', ')}` : 'it has no options';
      note(`${paths.join(', ')} ${unknownOptions.length > 1 ? 'are not options' : 'is not an option'} of ${id} (${listedOptions})`);
    }
    patterns[id] = options;
  }
  return patterns;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
