import { resolve } from 'node:path';
import { parseLocation } from '../azure/locations.js';
import { baseContribution, FEATURE_CONTRIBUTIONS } from '../base.js';
import { labelled, ValidationError, ValidationProblems } from '../exit-codes.js';
import { PATTERNS, sortPatternIds } from '../patterns/index.js';
import { flagName } from '../patterns/option-kinds.js';
import { type FunctionName, type JsonValue, type PatternDefinition, type PatternId, type ProjectInfo, type StorageName, type TemplateFile } from '../patterns/types.js';
import { GENERATOR } from '../version.js';
import { composeContributions, type ComposedContribution, type OwnedContribution } from './compose.js';
import { azureSlug, parseProjectName } from './project-name.js';

/**
 * What the user asked for, after flags, answers file, defaults and prompts were merged, before validation.
 * This is also what the manifest records, so the same app can be generated again.
 */
export interface Answers {
  name: string;
  location: string;
  patterns: Partial<Record<PatternId, Record<string, unknown>>>;
}

export interface SelectedPattern {
  definition: PatternDefinition;
  options: Record<string, JsonValue>;
}

/** Where the user gave a pattern option, as errors name it. */
export interface OptionSource {
  /** `--auth`, or the key path in an answers file: `patterns.http-api.auth`. */
  name: string;
  /** For a key in an answers file, the file (`--answers a.json`): an error names it once, first. */
  file?: string;
  /**
   * For an answer given at a prompt, the question, quoted (`"name of the storage queue"`): a clash the questionnaire
   * asks about names it there, and says to answer it again, not to give a flag. The plan checks a pattern's own rules
   * with `name`: the questionnaire settles their clashes before (`askMissingOptions`).
   */
  question?: string;
}

/** Names option `key` of pattern `id` where the user gave it. */
export type OptionSources = (id: PatternId, key: string) => OptionSource;

/** Options named by their flags: values from flags, defaults and prompts. */
export const byFlag: OptionSources = (id, key) => ({ name: flagName(PATTERNS[id].options[key]!) });

/** A value's label in errors: the flag, or the file and the key in it. */
export function sourceLabel({ name, file }: OptionSource): string {
  return file === undefined ? name : `${file}: ${name}`;
}

/** A validated, complete description of the app: rendering it cannot fail on user input. */
export interface Plan {
  targetDir: string;
  project: ProjectInfo;
  patterns: SelectedPattern[];
  contribution: ComposedContribution;
  /** The validated answers, as recorded in the manifest. */
  answers: { name: string; location: string; patterns: Partial<Record<PatternId, Record<string, JsonValue>>> };
  generator: typeof GENERATOR;
}

/**
 * Validates every answer and composes the app; throws ValidationError naming the answer at fault where it was
 * given (`sources`: flags unless told otherwise). `present` are patterns the app already has, whose answers `add`
 * cannot change: a clash with one names only what the other pattern can change.
 */
export function buildPlan(answers: Answers, targetDir: string, sources: OptionSources = byFlag, present: ReadonlySet<PatternId> = new Set()): Plan {
  const problems = new ValidationProblems();
  const name = problems.check(() => labelled('name', () => parseProjectName(answers.name)));
  const location = problems.check(() => labelled('location', () => parseLocation(answers.location)));
  const ids = sortPatternIds(Object.keys(answers.patterns) as PatternId[]);
  const selected = ids.map((id) => problems.check(() => selectPattern(PATTERNS[id], answers.patterns[id] ?? {}, sources)));
  problems.throwIfAny();
  const project: ProjectInfo = { name: name!, slug: azureSlug(name!), location: location! };
  const patterns = selected.map((pattern) => pattern!);
  const owned = patterns.map((p) => withOwnOptions(p, project));
  naming(sources, (name) => checkSharedStorage(patterns.map((p, i) => ({ id: p.definition.id, names: owned[i]!.storageNames })), name, present));
  naming(sources, (name) => checkSharedFiles(patterns.map((p, i) => ({ id: p.definition.id, files: owned[i]!.files })), name, present));
  const base = baseContribution(owned);
  naming(sources, (name) => checkFunctionNames(base.functionNames, patterns.map((p, i) => ({ id: p.definition.id, names: owned[i]!.functionNames })), name, present));
  const contributions: OwnedContribution[] = [base, ...owned];
  // Features are added once each, until no contribution asks for one that is missing.
  const added = new Set<string>();
  for (let i = 0; i < contributions.length; i++) {
    for (const feature of contributions[i]!.features) {
      if (added.has(feature)) continue;
      added.add(feature);
      contributions.push(FEATURE_CONTRIBUTIONS[feature]());
    }
  }

  return {
    targetDir: resolve(targetDir),
    project,
    patterns,
    contribution: composeContributions(contributions),
    answers: { name: project.name, location: project.location, patterns: Object.fromEntries(patterns.map((p) => [p.definition.id, p.options])) },
    generator: GENERATOR,
  };
}

export function selectPattern(definition: PatternDefinition, raw: Record<string, unknown>, sources: OptionSources): SelectedPattern {
  const { id } = definition;
  const problems = new ValidationProblems();
  // Own keys only: `in` also finds what every object inherits, so `constructor` would pass as an option.
  const unknown = Object.keys(raw).filter((key) => !Object.hasOwn(definition.options, key));
  if (unknown.length > 0) {
    const known = Object.keys(definition.options);
    problems.note(
      `unknown option${unknown.length > 1 ? 's' : ''} for ${definition.id}: ${unknown.join(', ')}` +
        (known.length ? ` (known: ${known.join(', ')})` : ' (it has no options)'),
    );
  }
  const options: Record<string, JsonValue> = {};
  for (const [key, spec] of Object.entries(definition.options)) {
    const input = raw[key];
    // Undefined only where a problem was noted, which throwIfAny throws below.
    options[key] = input === undefined ? spec.defaultValue : problems.check(() => labelled(sourceLabel(sources(id, key)), () => spec.parse(input)))!;
  }
  problems.throwIfAny();
  naming(sources, (name) => definition.validate?.(options, (key) => name(id, key).name), id);
  return { definition, options };
}

/**
 * Runs a check across options whose message names them through `name`: an answers file that one of the options
 * it names came from is named once, before the message; otherwise `otherwise` (the pattern) is.
 */
function naming(sources: OptionSources, check: (name: OptionName) => void, otherwise?: string): void {
  const named: OptionSource[] = [];
  try {
    check((id, key) => {
      const source = sources(id, key);
      named.push(source);
      return source;
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Only the names the message uses count: a check may name options it does not complain about.
    const prefix = named.find((source) => source.file !== undefined && error.message.includes(shownName(source)))?.file ?? otherwise;
    throw prefix === undefined ? error : new ValidationError(`${prefix}: ${error.message}`);
  }
}

/**
 * A pattern's templates — its files, infra modules and README section — see its own validated options as
 * `options` and its registry entry as `pattern`.
 */
function withOwnOptions({ definition, options }: SelectedPattern, project: ProjectInfo): OwnedContribution {
  const contribution = definition.contribute(options, project);
  const { id, title, summary, matrix } = definition;
  const templateData = { options, pattern: { id, title, summary, matrix } };
  const files = [...contribution.files, ...contribution.infraModules.map(({ template, path, data }) => ({ template, path, data }))];
  return { ...contribution, templateData, files: files.map((file) => ({ ...file, data: { ...templateData, ...file.data } })) };
}

/** Names the option a claim's name came from as the user gave it (flag, answers-file key or question), when one did. */
type OptionName = (id: PatternId, key: string) => OptionSource;

/** An option as a clash names it: its question when it was answered at a prompt, else its flag or answers-file key. */
export function shownName(source: OptionSource): string {
  return source.question ?? source.name;
}

/**
 * What to change to settle a clash, for the options that can: flags and answers-file keys to give another name with,
 * questions to answer again with another one. `one` says which: `it` (one option) or `one of them`.
 */
function anotherName(options: readonly OptionSource[], one: 'it' | 'one of them'): string {
  const given = options.filter((option) => option.question === undefined).map((option) => option.name);
  const asked = options.flatMap((option) => (option.question === undefined ? [] : [option.question]));
  const withGiven = given.length > 0 ? `give ${one} another name with ${given.join(' or ')}` : '';
  const answerAgain = asked.length > 0 ? `answer ${asked.join(' or ')} with another name` : '';
  if (withGiven === '' && answerAgain === '') return `give ${one} another name`;
  return [withGiven, answerAgain].filter((part) => part !== '').join(', or ');
}

/**
 * Patterns share the app's storage account: a queue, container or table two of them use would mix their
 * messages or data, so the answers that lead there are refused, naming the options to change.
 * Table names are case-insensitive in Azure.
 */
function checkSharedStorage(patterns: readonly { id: PatternId; names: readonly StorageName[] }[], name: OptionName, present: ReadonlySet<PatternId>): void {
  const clash = firstClash(
    patterns.map(({ id, names }) => ({ owner: id, items: names })),
    (name) => `${name.kind} ${name.kind === 'table' ? name.name.toLowerCase() : name.name}`,
  );
  if (clash) throw clashError(clash, name, present, { verb: 'use', verbs: 'uses', object: `the storage ${clash.later.item.kind} "${clash.later.item.name}"` });
}

/**
 * Names the user gives become file names (a job `items` is src/functions/items.ts, as is a resource `items`):
 * two patterns generating one file would each overwrite the other's function, so the answers are refused,
 * as a shared queue is, instead of reaching composition, where a shared file is a registry bug.
 */
function checkSharedFiles(patterns: readonly { id: PatternId; files: readonly TemplateFile[] }[], name: OptionName, present: ReadonlySet<PatternId>): void {
  const clash = firstClash(
    patterns.map(({ id, files }) => ({ owner: id, items: files })),
    (file) => file.path,
  );
  if (clash) throw clashError(clash, name, present, { verb: 'generate', verbs: 'generates', object: clash.later.item.path });
}

/**
 * A job and a resource's operation can take one function name in different files (job `items-list`, resource
 * `items`), as can a job and the app's own `health`: the Functions host then refuses to start the app, so the
 * answers are refused here. The host compares names ignoring case (job `processblob` takes `processBlob`).
 */
function checkFunctionNames(appsOwn: readonly FunctionName[], patterns: readonly { id: PatternId; names: readonly FunctionName[] }[], name: OptionName, present: ReadonlySet<PatternId>): void {
  const clash = firstClash(
    [{ owner: 'app' as const, items: appsOwn }, ...patterns.map(({ id, names }) => ({ owner: id, items: names }))],
    (function_) => function_.name.toLowerCase(),
  );
  if (!clash) return;
  const { earlier, later } = clash;
  // The app's own names come first, and differ from one another: only the earlier claim can be the app's.
  const owner = later.owner as PatternId;
  if (earlier.owner === 'app') {
    const option = later.item.option === undefined ? undefined : name(owner, later.item.option);
    throw new ValidationError(`${owner}${option === undefined ? '' : ` (${shownName(option)})`} would register a function named "${later.item.name}", as every app does; ${anotherName(option === undefined ? [] : [option], 'it')}`);
  }
  throw clashError({ earlier: { ...earlier, owner: earlier.owner }, later: { ...later, owner } }, name, present, {
    verb: 'register',
    verbs: 'registers',
    object: `a function named "${later.item.name}"`,
    consequence: ', which the Functions host refuses',
  });
}

/**
 * The error for two patterns claiming one name, naming the options that would settle it (a fixed name has none).
 * Where one of them is already in the app (`present`: add cannot change it), only the other's option is named.
 */
function clashError<Item extends { option?: string }>(
  clash: { earlier: Claim<PatternId, Item>; later: Claim<PatternId, Item> },
  name: OptionName,
  present: ReadonlySet<PatternId>,
  { verb, verbs, object, consequence = '' }: { verb: string; verbs: string; object: string; consequence?: string },
): ValidationError {
  const optionOf = ({ owner, item }: Claim<PatternId, Item>) => (item.option === undefined ? undefined : name(owner, item.option));
  const by = (claim: Claim<PatternId, Item>) => {
    const option = optionOf(claim);
    return option === undefined ? claim.owner : `${claim.owner} (${shownName(option)})`;
  };
  const sides = presentAndAdded(clash, present);
  if (sides) {
    const option = optionOf(sides.added);
    return new ValidationError(
      `${by(sides.added)} would ${verb} ${object}, which ${sides.present.owner} already ${verbs} in this project; ` +
        (option === undefined ? `${sides.added.owner} has no option that names it, so it cannot be added to this project` : anotherName([option], 'it')),
    );
  }
  const options = [clash.earlier, clash.later].map(optionOf).filter((option) => option !== undefined);
  return new ValidationError(`${by(clash.earlier)} and ${by(clash.later)} both ${verb} ${object}${consequence}; ${anotherName(options, 'one of them')}`);
}

interface Claim<Owner, Item> {
  owner: Owner;
  item: Item;
}

/** Of a clash between a pattern the app has and one being added, which is which; undefined when both can change. */
function presentAndAdded<Owner extends string, Item>(
  { earlier, later }: { earlier: Claim<Owner, Item>; later: Claim<Owner, Item> },
  present: ReadonlySet<string>,
): { present: Claim<Owner, Item>; added: Claim<Owner, Item> } | undefined {
  if (present.has(earlier.owner) === present.has(later.owner)) return undefined;
  return present.has(earlier.owner) ? { present: earlier, added: later } : { present: later, added: earlier };
}

/** The first item that a second owner claims after another did, compared by `key`; one owner may repeat an item. */
function firstClash<Owner, Item>(
  claims: readonly { owner: Owner; items: readonly Item[] }[],
  key: (item: Item) => string,
): { earlier: Claim<Owner, Item>; later: Claim<Owner, Item> } | undefined {
  const claimed = new Map<string, Claim<Owner, Item>>();
  for (const { owner, items } of claims) {
    for (const item of items) {
      const earlier = claimed.get(key(item));
      if (earlier && earlier.owner !== owner) return { earlier, later: { owner, item } };
      if (!earlier) claimed.set(key(item), { owner, item });
    }
  }
  return undefined;
}
