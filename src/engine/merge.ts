import { applyEdits, findNodeAtLocation, format, modify, parse, parseTree, type Edit, type FormattingOptions, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
import { diff3Merge } from 'node-diff3';
import { subset, valid, validRange } from 'semver';
import { parseDocument } from 'yaml';
import type { JsonValue } from '../patterns/types.js';
import { sortKeys } from './json-merge.js';
import { hashMatches, isMachineLocal } from './manifest.js';
import { BOM } from './byte-order-mark.js';

/**
 * Three-way merges for `add`. The three versions of a file:
 * - base: what the generator wrote for the answers recorded in the manifest (regenerated, never stored);
 * - ours: what is on disk now, the user's edits included;
 * - theirs: what the generator writes for the new answers.
 * The changes base → theirs are replayed onto ours; where the user changed the same thing, it is a conflict.
 * Everything here is pure: no file system, no prompts.
 */

export type MergeOutcome = { kind: 'merged'; content: string } | ({ kind: 'conflict'; reasons: string[] } & ConflictResolutions);

/**
 * A conflict settled part by part, every change that does not conflict applied either way: a JSON file value
 * by value, any other file by lines. `theirsWhereConflicting` takes the new version's parts where both changed:
 * what "take the new version" writes, so local.settings.json keeps the user's secrets. `oursWhereConflicting`
 * keeps the user's: what "keep mine" writes, so package.json still gets the new pattern's dependencies and
 * main.bicep its modules. Absent when a side cannot be settled so (a YAML or Bicep file it would break).
 */
export interface ConflictResolutions {
  theirsWhereConflicting?: string;
  oursWhereConflicting?: string;
  /** JSON only, paths as in the reasons: `description`, `extensions.queues.batchSize`. */
  conflictingValues?: string[];
  /** Other files: where in the user's version, as in the reasons: `line 1`, `lines 4–6`, `after line 9`. */
  conflictingLines?: string[];
}

/**
 * Merges a file by its type: JSON/JSONC structurally (comments and formatting kept), anything else by lines.
 * A line merge of YAML or Bicep is checked afterwards: lines that merge cleanly can still make a file no tool
 * reads (two `hooks:` keys in azure.yaml, two `module eventProcessing` in main.bicep), which is a conflict to
 * show, not a file to write.
 */
export function mergeFile(path: string, base: string, ours: string, theirs: string): MergeOutcome {
  // Windows editors may save a byte order mark: no edit (and no JSON error), so it is merged around and kept.
  if (ours.startsWith(BOM)) {
    const outcome = mergeFile(path, base, ours.slice(BOM.length), theirs);
    const withBom = (text: string | undefined) => (text === undefined ? undefined : `${BOM}${text}`);
    if (outcome.kind === 'merged') return { kind: 'merged', content: `${BOM}${outcome.content}` };
    return { ...outcome, theirsWhereConflicting: withBom(outcome.theirsWhereConflicting), oursWhereConflicting: withBom(outcome.oursWhereConflicting) };
  }
  if (isJsonFile(path)) return mergeJson(base, ours, theirs, jsonRules(path));
  const outcome = mergeText(base, ours, theirs);
  const problemIn = (merged: string) => (/\.ya?ml$/.test(path) ? yamlProblem(merged, ours) : path.endsWith('.bicep') ? bicepProblem(merged, ours) : undefined);
  if (outcome.kind === 'merged') {
    const problem = problemIn(outcome.content);
    return problem === undefined ? outcome : { kind: 'conflict', reasons: [problem] };
  }
  // A side that would break the file is not offered: that conflict is then kept or replaced whole.
  const valid = (merged: string | undefined) => (merged !== undefined && problemIn(merged) === undefined ? merged : undefined);
  return { ...outcome, theirsWhereConflicting: valid(outcome.theirsWhereConflicting), oursWhereConflicting: valid(outcome.oursWhereConflicting) };
}

/** What makes the merged YAML invalid, unless the user's own version already was. */
function yamlProblem(merged: string, ours: string): string | undefined {
  const [problem] = parseDocument(merged).errors;
  if (!problem || parseDocument(ours).errors.length > 0) return undefined;
  return `the merged lines are not valid YAML (${problem.message.split('\n')[0]})`;
}

/**
 * What makes the merged Bicep a file Bicep refuses where the user's version was not: a symbol declared twice
 * (BCP028), an object given a property twice, as when both sides added an app setting of one name (BCP025), or
 * the outputs of a module or resource the user's version no longer declares, as after a rename (BCP057).
 */
function bicepProblem(merged: string, ours: string): string | undefined {
  const already = duplicateDeclarations(ours);
  const twice = duplicateDeclarations(merged).filter((name) => !already.includes(name));
  if (twice.length > 0) return `the merged lines declare ${twice.join(', ')} twice, which Bicep refuses`;
  const alreadySetTwice = duplicateProperties(ours);
  const setTwice = duplicateProperties(merged).filter((name) => !alreadySetTwice.includes(name));
  if (setTwice.length > 0) return `the merged lines set ${setTwice.join(', ')} twice in one object, which Bicep refuses`;
  const alreadyMissing = undeclaredOutputOwners(ours);
  const missing = undeclaredOutputOwners(merged).filter((name) => !alreadyMissing.includes(name));
  return missing.length > 0 ? `the merged lines use ${missing.join(', ')}, which your version does not declare (renamed?), so Bicep would refuse the file` : undefined;
}

/** Names whose `.outputs` the Bicep reads without declaring them. */
function undeclaredOutputOwners(bicep: string): string[] {
  const declared = new Set([...bicep.matchAll(/^(?:resource|module)\s+(\w+)/gm)].map(([, name]) => name!));
  return [...new Set([...bicep.matchAll(/\b(\w+)\.outputs\b/g)].map(([, name]) => name!))].filter((name) => !declared.has(name));
}

function duplicateDeclarations(bicep: string): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const [, keyword, name] of bicep.matchAll(/^(param|var|resource|module|type|func|output)\s+(\w+)/gm)) {
    // Outputs have a namespace of their own: `output location string = location` is fine.
    const symbol = keyword === 'output' ? `output ${name}` : name!;
    if (seen.has(symbol)) twice.add(symbol);
    seen.add(symbol);
  }
  return [...twice];
}

/**
 * Property names some object of the Bicep sets more than once. Compared as the compiler does: case-sensitively,
 * a quoted key by its value; a key with an interpolation is not compared at all.
 */
function duplicateProperties(bicep: string): string[] {
  const twice = new Set<string>();
  // Per open bracket, innermost last: the keys of an object so far; an array's or a call's items have none.
  const scopes: (Set<string> | undefined)[] = [];
  let atPropertyStart = false;
  let key: string | undefined;
  for (const { token, name } of bicepTokens(bicep)) {
    const keys = scopes.at(-1);
    if (token === ':' && key !== undefined && keys) {
      if (keys.has(key)) twice.add(key);
      keys.add(key);
    }
    // Only the first token of a property is its key: `a: cond ? 'x' : 'y'` sets a alone.
    key = atPropertyStart ? name : undefined;
    atPropertyStart = token === '\n' || token === ',';
    if (token === '{') {
      scopes.push(new Set());
      atPropertyStart = true;
    } else if (token === '[' || token === '(') scopes.push(undefined);
    else if (token === '}' || token === ']' || token === ')') scopes.pop();
  }
  return [...twice];
}

/**
 * Bicep's tokens, as far as finding an object's keys needs: a name, a string or any other character, line ends
 * included; a name's or string's `name` too (a string's value, none if interpolated). Comments and blanks dropped.
 */
function* bicepTokens(bicep: string): Generator<{ token: string; name?: string }> {
  // A multi-line string has neither escapes nor interpolation, so the pattern reads it whole; a '…' string it cannot.
  const pattern = /(?<dropped>[^\S\n]+|\/\/.*|\/\*[\s\S]*?(?:\*\/|$))|(?<name>[A-Za-z_]\w*)|'''[\s\S]*?(?:'''|$)|[\s\S]/y;
  while (pattern.lastIndex < bicep.length) {
    const match = pattern.exec(bicep)!;
    if (match.groups!.dropped) continue;
    if (match[0] === "'") {
      const string = bicepString(bicep, match.index);
      pattern.lastIndex = string.end;
      yield { token: "'", name: string.value };
    } else yield { token: match[0], name: match.groups!.name };
  }
}

const BICEP_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", $: '$' };

/** The '…' string that starts at `start`: where it ends, and its value unless it has an interpolation. */
function bicepString(bicep: string, start: number): { end: number; value?: string } {
  const unicodeEscape = /\\u\{([0-9A-Fa-f]+)\}/y;
  let value = '';
  let interpolated = false;
  let at = start + 1;
  while (at < bicep.length && bicep[at] !== "'") {
    unicodeEscape.lastIndex = at;
    const unicode = unicodeEscape.exec(bicep);
    // An escape Bicep does not know fails the file anyway: its value then only must not throw.
    if (unicode) {
      value += String.fromCodePoint(Math.min(parseInt(unicode[1]!, 16), 0x10ffff));
      at = unicodeEscape.lastIndex;
    } else if (bicep[at] === '\\') {
      value += BICEP_ESCAPES[bicep[at + 1]!] ?? '';
      at += 2;
    } else if (bicep.startsWith('${', at)) {
      interpolated = true;
      at = interpolationEnd(bicep, at + 2);
    } else {
      value += bicep[at];
      at += 1;
    }
  }
  return { end: at + 1, value: interpolated ? undefined : value };
}

/** Where the `${…}` whose expression starts at `start` ends: its braces counted, strings in it skipped. */
function interpolationEnd(bicep: string, start: number): number {
  let depth = 1;
  let at = start;
  while (at < bicep.length && depth > 0) {
    if (bicep[at] === "'") {
      at = bicepString(bicep, at).end;
      continue;
    }
    if (bicep[at] === '{') depth += 1;
    if (bicep[at] === '}') depth -= 1;
    at += 1;
  }
  return at;
}

function isJsonFile(path: string): boolean {
  return path.endsWith('.json');
}

/** A value both sides changed: a rule of the file's format may say whose version holds; otherwise it is a conflict. */
export type SettleJson = (path: JSONPath, ours: JsonValue | undefined, theirs: JsonValue | undefined) => 'ours' | 'theirs' | undefined;

/** What a file's format knows beyond "objects merge key by key". */
export interface JsonRules {
  settle?: SettleJson;
  /** Edits that merge cleanly value by value but clash with something else of the user's: each a conflict instead. */
  clashes?: (edits: readonly JsonEdit[], ours: JsonValue) => JsonConflict[];
}

const DEPENDENCY_FIELDS = new Set(['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']);

/**
 * package.json: two versions of one dependency (a user who upgraded it, or added it before the pattern that
 * needs it) settle on the one that satisfies both. The user's, when it is the generator's pin or a compatible
 * newer release of it (`^pin`); the generator's pin, when the user's range admits it anyway (`^7.0.0` and
 * `7.9.5`: the new code may need 7.9). Another major, a tag or a git URL stays the user's call.
 */
export const settleDependencyVersion: SettleJson = (path, ours, theirs) => {
  if (path.length !== 2 || !DEPENDENCY_FIELDS.has(String(path[0])) || typeof ours !== 'string' || typeof theirs !== 'string') return undefined;
  if (validRange(ours) === null || validRange(theirs) === null) return undefined;
  if (subset(ours, valid(theirs) ? `^${theirs}` : theirs)) return 'ours';
  if (subset(theirs, ours)) return 'theirs';
  return undefined;
};

/**
 * package.json: a dependency the new version adds to one section while the user has it in another (csv-parse in
 * devDependencies, the new pattern's code needing it in dependencies) would be listed twice, and the package
 * manager installs one of the two: the new code may get the user's version. Not where the new version itself
 * moves it from the section the user left it in.
 */
function dependenciesInTwoSections(edits: readonly JsonEdit[], ours: JsonValue): JsonConflict[] {
  return edits.flatMap(({ path, value }): JsonConflict[] => {
    const [section, name] = path as [string, string];
    if (path.length !== 2 || !DEPENDENCY_FIELDS.has(section) || typeof value !== 'string' || valueAt(ours, path) !== undefined) return [];
    const movedByTheNewVersion = (other: string) => edits.some((edit) => edit.value === undefined && samePath(edit.path, [other, name]));
    const yours = [...DEPENDENCY_FIELDS].flatMap((other) => {
      const version = valueAt(ours, [other, name]);
      return other !== section && typeof version === 'string' && !movedByTheNewVersion(other) ? [{ section: other, version }] : [];
    });
    if (yours.length === 0) return [];
    return [
      {
        path,
        reason: `you have it in ${yours.map((entry) => `${entry.section} (${entry.version})`).join(' and ')}, and the new version adds it to ${section} (${value})`,
        // Taking the new version moves the package: listed once, where the new code needs it.
        theirs: [{ path, value }, ...yours.map((entry) => ({ path: [entry.section, name], value: undefined }))],
      },
    ];
  });
}

/**
 * package.json: the user's own description stands. The generator's only lists the patterns, and rewriting it on
 * every add made each one a conflict for whoever had written their own.
 */
const settlePackageJson: SettleJson = (path, ours, theirs) => (path.length === 1 && path[0] === 'description' ? 'ours' : settleDependencyVersion(path, ours, theirs));

const PACKAGE_JSON_RULES: JsonRules = { settle: settlePackageJson, clashes: dependenciesInTwoSections };

/**
 * local.settings.json after `func settings encrypt` (IsEncrypted: true): Core Tools decrypts every non-empty value of
 * `Values` and refuses the whole file when one is plain text ("Failed to decrypt settings"), so a setting the new
 * version adds there is a conflict: add cannot encrypt it (the key is the machine's), `func settings add` can.
 */
function plainValuesInEncryptedSettings(edits: readonly JsonEdit[], ours: JsonValue): JsonConflict[] {
  if (!isObject(ours) || ours.IsEncrypted !== true) return [];
  return edits.flatMap(({ path, value }): JsonConflict[] => {
    if (path[0] !== 'Values' || !hasText(value)) return [];
    const name = path.length === 2 ? String(path[1]) : '<name>';
    return [{ path, reason: `your file is encrypted (func settings encrypt) and this would be added in plain text, which func start cannot decrypt: keep yours, then run func settings add ${name} with its value from local.settings.example.json`, theirs: [{ path, value }] }];
  });
}

/** Whether a value is or holds a non-empty string: an empty one Core Tools takes without decrypting. */
function hasText(value: JsonValue | undefined): boolean {
  if (typeof value === 'string') return value !== '';
  return typeof value === 'object' && value !== null && Object.values(value).some(hasText);
}

const LOCAL_SETTINGS_RULES: JsonRules = { clashes: plainValuesInEncryptedSettings };

function jsonRules(path: string): JsonRules {
  if (/(^|\/)package\.json$/.test(path)) return PACKAGE_JSON_RULES;
  return isMachineLocal(path) ? LOCAL_SETTINGS_RULES : {};
}

/**
 * Replays the base → theirs changes onto the user's JSONC text with jsonc-parser edits, so the user's
 * comments, key order, formatting and own keys survive. Objects merge key by key; any other value (an
 * array, a string) is replaced whole, and only when the user left it as generated, or when `rules.settle` says so.
 */
export function mergeJson(base: string, ours: string, theirs: string, rules: JsonRules = {}): MergeOutcome {
  const ourValue = parseJsonc(ours);
  if (ourValue === undefined) return { kind: 'conflict', reasons: ['your version is not valid JSON, so it cannot be merged'] };
  const twice = duplicateKeys(ours);
  if (twice.length > 0) {
    return { kind: 'conflict', reasons: twice.map((path) => `${formatJsonPath(path)}: your version sets it twice, so a merge cannot tell which one counts`) };
  }
  const baseValue = parseJsonc(base);
  const theirValue = parseJsonc(theirs);
  if (baseValue === undefined || theirValue === undefined) throw new Error('template bug: generated JSON does not parse');

  const collected: JsonEdit[] = [];
  const conflicts: JsonConflict[] = [];
  collectJsonEdits([], baseValue, ourValue, theirValue, { edits: collected, conflicts, settle: rules.settle });
  const clashes = rules.clashes?.(collected, ourValue) ?? [];
  conflicts.push(...clashes);
  const edits = collected.filter((edit) => !clashes.some((clash) => samePath(clash.path, edit.path)));
  if (conflicts.length > 0) {
    const conflictingValues = conflicts.map(({ path }) => formatJsonPath(path));
    return {
      kind: 'conflict',
      reasons: conflicts.map(({ reason }, index) => `${conflictingValues[index]}: ${reason}`),
      theirsWhereConflicting: applyJsonEdits(ours, [...edits, ...conflicts.flatMap((conflict) => conflict.theirs)]),
      // The edits that do not conflict, the user's values left where they do.
      oursWhereConflicting: applyJsonEdits(ours, edits),
      conflictingValues,
    };
  }
  return { kind: 'merged', content: applyJsonEdits(ours, edits) };
}

function applyJsonEdits(text: string, edits: readonly JsonEdit[]): string {
  const formattingOptions = detectFormatting(text);
  let content = text;
  for (const edit of edits) {
    const key = edit.path[edit.path.length - 1];
    const getInsertionIndex = (keys: string[]) => insertionIndex(keys, String(key));
    const [unformatted] = modify(content, edit.path, edit.value, { getInsertionIndex });
    const changes =
      unformatted !== undefined && isAppended(unformatted)
        ? [keepCommentOnItsLine(content, formattedInsertion(content, unformatted, { ...formattingOptions, keepLines: isOneLine(content, edit.path.slice(0, -1)) }))]
        : modify(content, edit.path, edit.value, { formattingOptions, getInsertionIndex });
    content = applyEdits(content, changes);
  }
  return content;
}

/** A property inserted after another one (`,"key": value` right after it), as jsonc-parser writes it. */
function isAppended(edit: Edit): boolean {
  return edit.length === 0 && edit.content.startsWith(',');
}

/** Whether the object at `path` is written on one line: a property added to it stays on that line. */
function isOneLine(text: string, path: JSONPath): boolean {
  const object = findNodeAtLocation(parseTree(text, [], { allowTrailingComma: true })!, path);
  return object !== undefined && !/[\r\n]/.test(text.slice(object.offset, object.offset + object.length));
}

/**
 * The inserted property formatted on its own. jsonc-parser formats every whole line an insertion touches, which
 * spread the user's one-line object before it (`"http": { "routePrefix": "api" }`) over several lines.
 */
function formattedInsertion(text: string, edit: Edit, formattingOptions: FormattingOptions): Edit {
  const inserted = applyEdits(text, [edit]);
  // Only edits inside the range are made: the text around the insertion stays as it was.
  const formatted = applyEdits(inserted, format(inserted, { offset: edit.offset, length: edit.content.length }, formattingOptions));
  return { ...edit, content: formatted.slice(edit.offset, formatted.length - (text.length - edit.offset)) };
}

/**
 * The comment after the property a new one follows stays on that property's line (`"a": 1 // why` becomes
 * `"a": 1, // why` + the new property), and a trailing comma there stays the user's style after the new property.
 */
function keepCommentOnItsLine(text: string, edit: Edit): Edit {
  const comment = /^(?<comma>[ \t]*,)?[ \t]*(?:\/\/[^\r\n]*|\/\*(?:(?!\*\/)[^\r\n])*\*\/)/.exec(text.slice(edit.offset));
  if (comment === null) return edit;
  const afterComma = comment[0].slice(comment.groups!.comma?.length ?? 0);
  return { offset: edit.offset, length: comment[0].length, content: `,${afterComma}${edit.content.slice(1)}${comment.groups!.comma ? ',' : ''}` };
}

/** The value at `path` in a parsed JSON document; undefined where there is none. */
export function valueAt(value: unknown, path: JSONPath): unknown {
  return path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key] : undefined), value);
}

export interface JsonEdit {
  path: JSONPath;
  /** `undefined` removes the property. */
  value: JsonValue | undefined;
}

/** A value the user's version and the new one disagree on: why, and the edits that take the new version's side. */
export interface JsonConflict {
  path: JSONPath;
  reason: string;
  theirs: JsonEdit[];
}

interface JsonMergeState {
  edits: JsonEdit[];
  conflicts: JsonConflict[];
  settle: SettleJson | undefined;
}

function collectJsonEdits(path: JSONPath, base: JsonValue | undefined, ours: JsonValue | undefined, theirs: JsonValue | undefined, state: JsonMergeState): void {
  if (sameValue(base, theirs) || sameValue(ours, theirs)) return;
  if (isObject(ours) && isObject(theirs) && (base === undefined || isObject(base))) {
    // Keys only the user has are the user's: never visited, never touched.
    const keys = new Set([...Object.keys(base ?? {}), ...Object.keys(theirs)]);
    for (const key of keys) collectJsonEdits([...path, key], base?.[key], ours[key], theirs[key], state);
    return;
  }
  const winner = sameValue(ours, base) ? 'theirs' : state.settle?.(path, ours, theirs);
  if (winner === 'theirs') state.edits.push({ path, value: theirs });
  else if (winner === undefined) state.conflicts.push({ path, reason: 'you changed it, and the new version changes it too', theirs: [{ path, value: theirs }] });
}

function samePath(a: JSONPath, b: JSONPath): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

/**
 * Keys an object of the text has more than once. Readers take the last one, while an edit lands in the first:
 * a setting merged there would not count, and a value the user set there would be replaced unseen.
 */
function duplicateKeys(text: string): JSONPath[] {
  const twice: JSONPath[] = [];
  const walk = (node: Node | undefined, path: JSONPath): void => {
    if (node?.type === 'array') node.children?.forEach((child, index) => walk(child, [...path, index]));
    if (node?.type !== 'object') return;
    const seen = new Set<string>();
    for (const [key, value] of (node.children ?? []).map((property) => property.children ?? [])) {
      const name = String(key?.value);
      if (seen.has(name)) twice.push([...path, name]);
      seen.add(name);
      walk(value, [...path, name]);
    }
  };
  walk(parseTree(text, [], { allowTrailingComma: true }), []);
  return twice;
}

function parseJsonc(text: string): JsonValue | undefined {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as JsonValue;
  return errors.length > 0 ? undefined : value;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Key order is formatting, not content: `{a, b}` and `{b, a}` are the same value. */
function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

/** A new key goes where it sorts when the object's keys are sorted (dependencies), otherwise last. */
function insertionIndex(keys: readonly string[], key: string): number {
  const sorted = keys.every((k, i) => i === 0 || keys[i - 1]! <= k);
  if (!sorted) return keys.length;
  const index = keys.findIndex((k) => k > key);
  return index === -1 ? keys.length : index;
}

/** Indentation and line endings of the user's file, so inserted properties look like their neighbours. */
function detectFormatting(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}

function formatJsonPath(path: JSONPath): string {
  return path.length === 0 ? '(the whole document)' : path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : segment)).join('.');
}

/**
 * A line-based three-way merge (diff3). Changes on different lines combine, and so do lines both sides only
 * added at one place (the user's first) or added next to a line the other side changed; the same lines changed
 * on both sides are a conflict, which either side's lines can settle (as `git merge -X ours` or `-X theirs`).
 */
export function mergeText(base: string, ours: string, theirs: string): MergeOutcome {
  // A user who converted the file to CRLF should not see every line as changed. A file with only some CRLF
  // lines is merged as it is: converting it would rewrite the line endings of every line the user kept.
  const crlf = ours.includes('\r\n') && !/(^|[^\r])\n/.test(ours);
  const lines = (text: string) => (crlf ? text.replace(/\r?\n/g, '\r\n') : text).split(crlf ? '\r\n' : '\n');
  const regions = diff3Merge(lines(ours), lines(base), lines(theirs), { excludeFalseConflicts: true });

  const keepingOurs: string[] = [];
  const takingTheirs: string[] = [];
  const conflictingLines: string[] = [];
  for (const region of regions) {
    if (region.ok) {
      keepingOurs.push(...region.ok);
      takingTheirs.push(...region.ok);
    } else if (region.conflict) {
      const { a, aIndex, b, o } = region.conflict;
      const both = bothSides(a, o, b);
      if (both) {
        keepingOurs.push(...both);
        takingTheirs.push(...both);
        continue;
      }
      keepingOurs.push(...a);
      takingTheirs.push(...b);
      conflictingLines.push(a.length === 0 ? `after line ${aIndex}` : a.length === 1 ? `line ${aIndex + 1}` : `lines ${aIndex + 1}–${aIndex + a.length}`);
    }
  }
  const join = (merged: string[]) => merged.join(crlf ? '\r\n' : '\n');
  if (conflictingLines.length === 0) return { kind: 'merged', content: join(keepingOurs) };
  return {
    kind: 'conflict',
    reasons: conflictingLines.map((where) => `${where}: you changed this part, and the new version changes it too`),
    oursWhereConflicting: join(keepingOurs),
    theirsWhereConflicting: join(takingTheirs),
    conflictingLines,
  };
}

/**
 * The lines of a diff3 conflict region where the two sides do not contradict each other: lines both only added
 * (`o` empty: the user's, then the new version's), or lines one side only added around the base lines, which the
 * other side changed (its change, with the additions around it). Undefined where both changed the same lines.
 */
function bothSides(a: readonly string[], o: readonly string[], b: readonly string[]): string[] | undefined {
  if (o.length === 0) return [...a, ...b];
  const around = (side: readonly string[]) => {
    for (let at = 0; at + o.length <= side.length; at++) {
      if (o.every((line, i) => side[at + i] === line)) return { before: side.slice(0, at), after: side.slice(at + o.length) };
    }
    return undefined;
  };
  const addedByTheirs = around(b);
  if (addedByTheirs) return [...addedByTheirs.before, ...a, ...addedByTheirs.after];
  const addedByOurs = around(a);
  if (addedByOurs) return [...addedByOurs.before, ...b, ...addedByOurs.after];
  return undefined;
}

/** What `add` does with one file of the new tree. */
export type FileAction =
  /** New file: written. */
  | 'create'
  /** Untouched since generated: replaced by the new version. */
  | 'update'
  /** Edited by the user: the generator's changes merged in, the user's edits kept. */
  | 'merge'
  /** Nothing to write (already as wanted, or the generator's version did not change). */
  | 'unchanged'
  /** The user deleted it and the new version does not change it: it stays deleted. */
  | 'keep-deleted'
  /** Edited (or deleted) by the user where the generator changes it too, or a file of the user's in the way: the user decides. */
  | 'conflict';

export interface PlannedFile extends ConflictResolutions {
  path: string;
  action: FileAction;
  /** What is on disk now, when something is. */
  current?: string;
  /** The generator's version for the new answers. */
  theirs: string;
  /** What gets written for create, update and merge. */
  content?: string;
  /** Why a conflict is one. */
  reasons?: string[];
  /** Shown next to the action, e.g. why an edited file is left as it is. */
  note?: string;
  /** A conflict with a file of the user's that the generator never wrote (not one they edited). */
  notGenerated?: true;
}

export interface FileVersions {
  /** Generated for the recorded answers, keyed by path. */
  base: ReadonlyMap<string, string>;
  /** Generated for the new answers. */
  theirs: ReadonlyMap<string, string>;
  /** On disk now (absent means no such file). */
  ours: ReadonlyMap<string, string>;
  /** sha256 of every file as generated, from the manifest. */
  recorded: Readonly<Record<string, string>>;
}

/** Decides, for every file of the new tree, whether to create, update, merge, leave or ask. */
export function planFileUpdates(versions: FileVersions): PlannedFile[] {
  return [...versions.theirs.keys()].sort().map((path) => planFile(path, versions));
}

function planFile(path: string, { base, theirs: theirTree, ours: ourTree, recorded }: FileVersions): PlannedFile {
  const theirs = theirTree.get(path)!;
  const current = ourTree.get(path);
  const generated = base.get(path);
  const hash = recorded[path];

  if (current === undefined) {
    if (hash === undefined) return { path, action: 'create', theirs, content: theirs };
    if (isMachineLocal(path)) return { path, action: 'create', theirs, content: theirs, note: 'git ignores it: this clone had none' };
    if (generated === theirs) return { path, action: 'keep-deleted', theirs, note: 'you deleted it; the new pattern does not change it' };
    // Deleting is an edit too (a workflow replaced by the user's own CI would deploy twice if it came back):
    // changed on one side and deleted on the other is the user's call, as a modify/delete conflict is in git.
    return { path, action: 'conflict', theirs, reasons: ['you deleted it, and the new version changes it'] };
  }
  if (current === theirs) return { path, action: 'unchanged', current, theirs };
  if (hash !== undefined && hashMatches(current, hash)) return { path, action: 'update', current, theirs, content: theirs };
  if (generated === undefined || hash === undefined) {
    return { path, action: 'conflict', current, theirs, notGenerated: true, reasons: ['a file that create-serverless-app did not generate is in the way'] };
  }
  // Edited by the user: their version wins wherever the generator has nothing new to say.
  if (generated === theirs) return { path, action: 'unchanged', current, theirs, note: 'edited by you; the new pattern does not change it' };
  const outcome = mergeFile(path, generated, current, theirs);
  if (outcome.kind === 'conflict') {
    const { kind: _conflict, ...conflict } = outcome;
    return { path, action: 'conflict', current, theirs, ...conflict };
  }
  if (outcome.content === current) return { path, action: 'unchanged', current, theirs };
  return { path, action: 'merge', current, theirs, content: outcome.content };
}
