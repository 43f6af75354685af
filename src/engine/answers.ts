import { basename, resolve } from 'node:path';
import { DEFAULT_LOCATION, FLEX_CONSUMPTION_LOCATIONS, parseLocation } from '../azure/locations.js';
import { labelled, UserError, ValidationError, ValidationProblems } from '../exit-codes.js';
import { findPatternId, PATTERN_IDS, PATTERNS, sortPatternIds } from '../patterns/index.js';
import { flagName, questionName, questionText } from '../patterns/option-kinds.js';
import type { JsonValue, OptionSpec, PatternDefinition, PatternId } from '../patterns/types.js';
import type { Prompter } from '../prompts.js';
import { LATENCY_CHOICES, recommendPatterns, VOLUME_CHOICES, WORKLOAD_DEFAULTS, WORKLOAD_QUESTIONS, WORKLOAD_RELEVANT, type Recommendation, type Workload } from '../advisor.js';
import { keyPathIn, type AnswersFile } from './answers-file.js';
import { existingEntries, nonEmptyTargetError } from './changes.js';
import { buildPlan, byFlag, selectPattern, shownName, sourceLabel, type Answers, type OptionSource, type OptionSources } from './plan.js';
import { MAX_PROJECT_NAME_LENGTH, parseProjectName, shown } from './project-name.js';

export const DEFAULT_PATTERNS: readonly PatternId[] = ['http-api'];

/** Raw values from the command line, exactly as typed, plus a parsed `--answers` file. */
export interface CreateInput {
  directory?: string;
  name?: string;
  pattern?: string;
  location?: string;
  /** Pattern option values by pattern and option key, from their flags. */
  patternOptions: Partial<Record<PatternId, Record<string, string>>>;
  yes: boolean;
  answersFile?: AnswersFile;
}

export interface ResolvedAnswers {
  directory: string;
  answers: Answers;
  /** Why each pattern was chosen, when the advisor chose; shown in the summary. */
  recommendations: Recommendation[];
  /** Where each pattern option was given, for the plan's errors. */
  sources: OptionSources;
  /** What the user should know before the files are written: answers-file options that are not used. */
  notices: string[];
}

/** Why a required value missing without --yes cannot be asked for: no terminal, or CI=true or --json, which mean a pipeline even with one. */
export const NOT_ASKED = 'nothing is asked without a terminal, in a dumb one (TERM=dumb), with CI=true or with --json';

/**
 * Fills in what the command line left out. Precedence: flags, then the answers file, then a prompt when a
 * person is there (or the default with `--yes`); otherwise it fails at once naming every missing flag, with every
 * invalid value, so a pipeline never hangs.
 */
export async function resolveAnswers(input: CreateInput, session: { interactive: boolean; prompter: Prompter; cwd: string }): Promise<ResolvedAnswers> {
  const ask = session.interactive && !input.yes ? session.prompter : undefined;
  const file = input.answersFile ?? {};
  // What the questions cannot change is checked before them, so nobody answers them all to fail at the end; and
  // without questions, what is missing is listed with what is invalid, so that one run names every problem.
  const problems = new ValidationProblems();
  const notAsked = input.yes ? '--yes cannot default' : NOT_ASKED;

  // The folder is the argument, else the project name (--name, then the answers file's), as create-vite does.
  const named = input.directory ?? input.name ?? file.name;
  // An empty argument (an unset shell variable) would resolve to the working directory and write there.
  const empty = named?.trim() === '';
  if (empty) {
    const source = input.directory !== undefined ? '[directory]' : input.name !== undefined ? '--name' : fileLabel(file, 'name');
    problems.note(
      input.directory !== undefined
        ? `${source}: must not be empty; it names the folder to create (. for the current one)`
        : `${source}: must not be empty; it is the project's npm package name and, without [directory], its folder`,
    );
  }
  let directory = empty ? undefined : named;
  if (directory === undefined && !empty && !ask) {
    // Under its key in the file's layout; a map of pattern options (no `patterns` key) has no place for it.
    const inAnswersFile = input.answersFile && input.answersFile.keys?.patterns !== '' ? `, or "${keyPathIn(input.answersFile, 'name')}" in the answers file` : '';
    problems.noteMissing(`[directory] or --name (the project folder, e.g. my-app)${inAnswersFile}`, notAsked);
  }
  const givenLocation = input.location ?? file.location;
  if (givenLocation !== undefined) problems.check(() => labelled(input.location !== undefined ? '--location' : fileLabel(file, 'location'), () => parseLocation(givenLocation)));
  // In a terminal, a folder whose name is no project name (`My App`) gets the name asked, as create-vite does.
  const folderNamed = directory !== undefined && ask && input.name === undefined && file.name === undefined && !isProjectName(basename(resolve(session.cwd, directory)));
  const givenDirectory = folderNamed ? undefined : directory;
  let name = givenDirectory === undefined ? undefined : problems.check(() => projectName(input, givenDirectory, session.cwd));
  const givenPatterns = input.pattern === undefined ? undefined : problems.check(() => parsePatternIds(input.pattern));
  const sources = optionSources(input.answersFile, input.patternOptions);
  // The patterns, when no question chooses them: given, the file's, or with --yes the default.
  let patternIds =
    input.pattern !== undefined ? givenPatterns : file.patterns ? sortPatternIds(Object.keys(file.patterns) as PatternId[]) : input.yes && !input.answersFile ? [...DEFAULT_PATTERNS] : undefined;
  // A flag of a pattern left out is reported as that, not also as an invalid value of it; the file's options of such a
  // pattern are not applied (a notice says so), so not checked either.
  const ofSelected = <T>(given: Partial<Record<PatternId, T>>) => (patternIds === undefined ? given : Object.fromEntries(patternIds.map((id) => [id, given[id]])));
  const givenValuesParse = problems.check(() => {
    checkGivenOptions(ofSelected(file.patterns ?? {}), ofSelected(input.patternOptions), sources);
    return true;
  });
  if (patternIds !== undefined) problems.check(() => rejectOptionsOfUnselectedPatterns(input.patternOptions, patternIds!));
  else if (input.pattern === undefined && !ask) {
    problems.noteMissing(`--pattern <ids> (${PATTERN_IDS.join(', ')})${input.answersFile ? ', or "patterns" in the answers file' : ''}`, notAsked);
  }
  // Where nothing is asked, each pattern's rules over its options (aggregation needs a key) are in the same report:
  // checked with the plan, they came only on the run after the one that named a missing folder.
  if (!ask && givenValuesParse && patternIds !== undefined) {
    for (const id of patternIds) problems.check(() => selectPattern(PATTERNS[id], { ...file.patterns?.[id], ...input.patternOptions[id] }, sources));
  }
  problems.throwIfAny();
  // create writes only into a missing or empty folder: a person learns that before the questions, not after them.
  if (directory !== undefined && ask) refuseNonEmptyFolder(resolve(session.cwd, directory));
  if (folderNamed) {
    const folder = basename(resolve(session.cwd, directory!));
    const typed = await ask!.input({
      message: `Project name (the folder's name "${shown(folder)}" is not one: lowercase letters, digits and hyphens)`,
      default: suggestedProjectName(folder),
      validate: validator((value) => parseProjectName(String(value).trim())),
    });
    name = typed.trim();
  }
  if (directory === undefined && ask) {
    const folderFree = (value: string) => refuseNonEmptyFolder(resolve(session.cwd, value), true);
    // Spaces around a typed name are a slip of the keyboard, not part of the name.
    const typed = await ask.input({ message: 'Project name', default: 'my-serverless-app', validate: validator((value) => folderFree(parseProjectName(String(value).trim()))) });
    directory = typed.trim();
    name = projectName(input, directory, session.cwd);
  }

  let recommendations: Recommendation[] = [];
  if (patternIds === undefined && ask) {
    recommendations = recommendPatterns(await askWorkload(ask));
    patternIds = (await ask.checkbox({
      message: `Recommended: ${recommendations.map((r) => r.id).join(', ')}. Patterns to combine (space toggles, enter accepts)`,
      choices: PATTERN_IDS.map((id) => ({ value: id, name: patternChoiceLabel(id), description: recommendations.find((r) => r.id === id)?.reasons.join('; ') })),
      // Beside the recommendation, the patterns whose options were given as flags: `--job` means scheduled tasks.
      default: sortPatternIds([...recommendations.map((r) => r.id), ...PATTERN_IDS.filter((id) => Object.keys(input.patternOptions[id] ?? {}).length > 0)]),
      validate: (values) => (values.length > 0 ? keepPatternsOfGivenFlags(input.patternOptions, values) : 'choose at least one pattern'),
    })) as PatternId[];
    // Chosen in the questionnaire, where a pattern whose options were given may have been left out.
    rejectOptionsOfUnselectedPatterns(input.patternOptions, patternIds);
  }

  const chosen = sortPatternIds(patternIds!);
  const givenOptions = (id: PatternId) => ({ ...file.patterns?.[id], ...input.patternOptions[id] });
  if (ask && chosen.length > 1) {
    refuseClashOfGivenOptions(chosen, givenOptions, sources, (given) => buildPlan({ name: name!, location: DEFAULT_LOCATION, patterns: given }, resolve(session.cwd, directory!), sources));
  }

  let location = givenLocation;
  if (location === undefined && ask) {
    location = await ask.select({
      message: 'Azure region (Flex Consumption)',
      choices: FLEX_CONSUMPTION_LOCATIONS.map((value) => ({ value, name: value })),
      default: DEFAULT_LOCATION,
    });
  }

  const patterns: Answers['patterns'] = {};
  const asked = new Map<PatternId, Set<string>>();
  for (const id of chosen) {
    const given = givenOptions(id);
    if (ask) asked.set(id, await askMissingOptions(ask, id, given, sources, recommendations.find((r) => r.id === id)?.offered));
    patterns[id] = given;
  }
  const answers: Answers = { name: name!, location: location ?? DEFAULT_LOCATION, patterns };
  if (ask && chosen.length > 1) await askAgainForClashesBetweenPatterns(ask, answers, asked, sources, (checked, named) => buildPlan(checked, resolve(session.cwd, directory!), named));

  return {
    directory: directory!,
    answers,
    recommendations,
    sources,
    notices: [...unusedFileOptions(file, chosen), ...offersNotApplied(recommendations, patterns)],
  };
}

/**
 * Answers the advisor offered (ordered processing for a workload whose messages must stay in order) whose questions
 * the options chosen since then left out (no source that keeps order): the app goes without, and the user is told.
 */
function offersNotApplied(recommendations: readonly Recommendation[], patterns: Answers['patterns']): string[] {
  return recommendations.flatMap(({ id, offered = {} }) => {
    const given = patterns[id];
    if (given === undefined) return [];
    const { title, options } = PATTERNS[id];
    return Object.entries(offered)
      .filter(([key]) => !Object.hasOwn(given, key))
      .map(([key, value]) => {
        const spec = options[key]!;
        const flag = flagName(spec);
        return `${title}: ${flag} ${spec.format(value as JsonValue)}, offered for your workload, does not apply to the options chosen: ${flag} is ${spec.format(spec.defaultValue)}`;
      });
  });
}

/**
 * Options the answers file gives for patterns that --pattern left out: flags win, so they are not applied, but
 * silently dropping them would let a typo in --pattern go unnoticed.
 */
function unusedFileOptions(file: AnswersFile, chosen: readonly PatternId[]): string[] {
  return (Object.entries(file.patterns ?? {}) as [PatternId, Record<string, unknown>][])
    .filter(([id, options]) => !chosen.includes(id) && Object.keys(options).length > 0)
    .map(([id]) => `${sourceLabel(inFile(file, id))} is not applied: --pattern chose ${chosen.join(', ')}`);
}

/** A value of the answers file, named by its key there and the file: `--answers a.json` + `patterns.http-api.auth`. */
function inFile(file: AnswersFile, ...path: string[]): OptionSource {
  return { name: keyPathIn(file, ...path), file: file.source ?? '--answers' };
}

/** `--answers a.json: name`: a value of the answers file, named by its file and key. */
function fileLabel(file: AnswersFile, key: string): string {
  return sourceLabel(inFile(file, key));
}

/**
 * Names a pattern option where the user gave it: its flag; else, for a pattern the answers file configures, its
 * key there (a default too: that is where an answers-file user sets it); else its flag.
 */
export function optionSources(file: AnswersFile | undefined, fromFlags: CreateInput['patternOptions']): OptionSources {
  return (id, key) => {
    if (file?.patterns?.[id] === undefined || Object.hasOwn(fromFlags[id] ?? {}, key)) return byFlag(id, key);
    return inFile(file, id, key);
  };
}

/**
 * Refuses a folder that already holds files, as the write would after every question (the same rule, .git
 * aside). At the project-name prompt (`asName`) it is a validation message, so another name can be typed.
 */
function refuseNonEmptyFolder(dir: string, asName = false): void {
  let entries: string[];
  try {
    entries = existingEntries(dir);
  } catch (error) {
    // A file or a dangling link of that name: at the prompt, a message and another try.
    if (asName && error instanceof UserError) throw new ValidationError(`${error.message}: type another name`);
    throw error;
  }
  if (entries.length === 0) return;
  if (asName) throw new ValidationError(`folder ${dir} already exists and is not empty: type another name (or run \`create-serverless-app add\` inside that project)`);
  throw nonEmptyTargetError(dir, 'it already holds files');
}

/**
 * The validated project name: --name, else the answers file's, else the folder's own name, also for `.`
 * (`create-serverless-app .` in my-app/ names the project my-app). Errors name where the name came from.
 */
function isProjectName(name: string): boolean {
  return validator(parseProjectName)(name) === true;
}

/** A project name close to a folder's (`My App` → `my-app`), or the default when nothing of it is left. */
function suggestedProjectName(folder: string): string {
  const suggestion = folder
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, MAX_PROJECT_NAME_LENGTH)
    .replace(/-+$/, '');
  return isProjectName(suggestion) ? suggestion : 'my-serverless-app';
}

function projectName(input: CreateInput, directory: string, cwd: string): string {
  const [source, name] =
    input.name !== undefined
      ? ['--name', input.name]
      : input.answersFile?.name !== undefined
        ? [fileLabel(input.answersFile, 'name'), input.answersFile.name]
        : ['[directory]', basename(resolve(cwd, directory))];
  try {
    return labelled(source, () => parseProjectName(name));
  } catch (error) {
    if (source !== '[directory]' || !(error instanceof ValidationError)) throw error;
    // The person typed a folder, not a name: say that the name comes from it, and how to keep the folder anyway.
    throw new ValidationError(`${error.message}; the folder's name is the project name: choose another folder, or keep this one and give the name with --name <name>`);
  }
}

/**
 * Option values from the answers file and flags (flags win), each parsed by its option's parser. An error names
 * the value where the user wrote it: the flag, or the key in the answers file.
 */
export function checkGivenOptions(fromFile: NonNullable<AnswersFile['patterns']>, fromFlags: CreateInput['patternOptions'], sources: OptionSources): void {
  const problems = new ValidationProblems();
  for (const id of PATTERN_IDS) {
    const given = { ...fromFile[id], ...fromFlags[id] };
    // An unknown key is left to the plan, which names every option the pattern has.
    const known = Object.keys(given).filter((key) => Object.hasOwn(PATTERNS[id].options, key));
    const unparsed = known.filter((key) => problems.check(() => labelled(sourceLabel(sources(id, key)), () => PATTERNS[id].options[key]!.parse(given[key]))) === undefined);
    // A rule across options is checked once each of them parses.
    if (known.length === 0 || unparsed.length > 0) continue;
    try {
      selectPattern(PATTERNS[id], Object.fromEntries(known.map((key) => [key, given[key]])), sources);
    } catch (error) {
      problems.check(() => refuseClashOfGivenValues(error, optionsOf([id]), (option) => known.includes(option.key), sources));
    }
  }
  problems.throwIfAny();
}

/** The advisor's questions about the workload, those the earlier answers make moot skipped; the answers drive `recommendPatterns`. */
async function askWorkload(ask: Prompter): Promise<Workload> {
  const yesNo = (message: string) => ask.confirm({ message, default: false });
  const workload: Workload = {
    requestResponse: await yesNo(WORKLOAD_QUESTIONS.requestResponse),
    reactsToEvents: await yesNo(WORKLOAD_QUESTIONS.reactsToEvents),
    runsOnSchedule: await yesNo(WORKLOAD_QUESTIONS.runsOnSchedule),
    transformsData: await yesNo(WORKLOAD_QUESTIONS.transformsData),
    ...WORKLOAD_DEFAULTS,
  };
  if (WORKLOAD_RELEVANT.volume(workload)) {
    workload.volume = (await ask.select({ message: WORKLOAD_QUESTIONS.volume, choices: VOLUME_CHOICES, default: WORKLOAD_DEFAULTS.volume })) as Workload['volume'];
  }
  if (WORKLOAD_RELEVANT.latency(workload)) {
    workload.latency = (await ask.select({ message: WORKLOAD_QUESTIONS.latency, choices: LATENCY_CHOICES, default: WORKLOAD_DEFAULTS.latency })) as Workload['latency'];
  }
  if (WORKLOAD_RELEVANT.ordering(workload)) workload.ordering = await yesNo(WORKLOAD_QUESTIONS.ordering);
  return workload;
}

/** `source` names where the ids came from in errors: create's `--pattern`, add's arguments. */
export function parsePatternIds(input: unknown, source = '--pattern'): PatternId[] {
  const items = (Array.isArray(input) ? input : String(input).split(','))
    .map((item) => String(item).trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new ValidationError(`${source}: give at least one of ${PATTERN_IDS.join(', ')}`);
  const unknown = items.filter((item) => findPatternId(item) === undefined);
  if (unknown.length > 0) {
    throw new ValidationError(`${source}: unknown pattern ${unknown.map((u) => `"${u}"`).join(', ')}; valid patterns: ${PATTERN_IDS.join(', ')}`);
  }
  return sortPatternIds(items.map((item) => findPatternId(item)!));
}

export function patternChoiceLabel(id: PatternId): string {
  const { title, matrix } = PATTERNS[id];
  return `${title} — ${matrix.useCase} · scalability ${matrix.scalability} · complexity ${matrix.complexity}`;
}

function rejectOptionsOfUnselectedPatterns(given: CreateInput['patternOptions'], chosen: readonly string[]): void {
  const problems = new ValidationProblems();
  for (const { id, flags } of flagsOfUnselectedPatterns(given, chosen)) problems.note(`${flags} ${id}, which is not selected (add it to --pattern)`);
  problems.throwIfAny();
}

/** In the list of patterns, one whose options were given as flags stays selected: unticked, the run ended after it. */
function keepPatternsOfGivenFlags(given: CreateInput['patternOptions'], chosen: readonly string[]): string | true {
  const [unselected] = flagsOfUnselectedPatterns(given, chosen);
  return unselected === undefined ? true : `${unselected.flags} ${unselected.id}: keep it selected`;
}

/** The patterns left out whose options were given as flags, with the flags: `--job, --time-zone configure`. */
function flagsOfUnselectedPatterns(given: CreateInput['patternOptions'], chosen: readonly string[]): { id: PatternId; flags: string }[] {
  return (Object.entries(given) as [PatternId, Record<string, string>][])
    .filter(([id, options]) => !chosen.includes(id) && Object.keys(options).length > 0)
    .map(([id, options]) => {
      const flags = Object.keys(options).map((key) => byFlag(id, key).name);
      return { id, flags: `${flags.join(', ')} configure${flags.length > 1 ? '' : 's'}` };
    });
}

/**
 * Asks for every option of pattern `id` missing from `given`, in declaration order, except those the answers
 * before them make irrelevant (e.g. a token audience when the API does not use Entra ID). Answers that clash
 * with each other (aggregation without a key, two containers of one name) are shown at once, and the person
 * may answer again, their answers as defaults, instead of losing them all to the error after the last question.
 * `offered` answers are shown as the defaults instead of the options' own (the advisor's, for the workload described).
 */
export async function askMissingOptions(
  ask: Prompter,
  id: PatternId,
  given: Record<string, unknown>,
  sources: OptionSources,
  offered: Readonly<Record<string, unknown>> = {},
): Promise<Set<string>> {
  const definition = PATTERNS[id];
  const asked = new Set<string>();
  const named = namedAsGiven((_, key) => asked.has(key), sources);
  let previous: Readonly<Record<string, unknown>> = offered;
  for (;;) {
    const { answered, options } = await askOptionsOnce(ask, definition.title, definition.options, given, previous);
    for (const key of Object.keys(answered)) asked.add(key);
    const problem = options ? clashBetween(definition, options, (key) => shownName(named(id, key))) : undefined;
    // Only the questions the problem names are asked again; a clash between flags is the plan's to report.
    const askAgain = problem === undefined ? [] : optionsNamedIn(problem, [...asked].map((key) => ({ id, key })), named).map((option) => option.key);
    if (askAgain.length === 0) return asked;
    if (!(await ask.confirm({ message: `${definition.title}: ${problem}. Answer its questions again?`, default: true }))) {
      // Declined: stopped here, not after the other patterns' questions, whose answers would be lost anyway.
      throw new ValidationError(`${id}: ${problem}`);
    }
    for (const key of askAgain) delete given[key];
    previous = { ...previous, ...answered };
  }
}

/**
 * A clash between patterns that given values alone make (two flags naming one queue) fails before their questions,
 * as a clash within a pattern does; one that names an option still to be answered is the questions' to settle.
 */
function refuseClashOfGivenOptions(
  chosen: readonly PatternId[],
  givenOptions: (id: PatternId) => Record<string, unknown>,
  sources: OptionSources,
  check: (given: Answers['patterns']) => void,
): void {
  try {
    check(Object.fromEntries(chosen.map((id) => [id, givenOptions(id)])));
  } catch (error) {
    refuseClashOfGivenValues(error, optionsOf(chosen), ({ id, key }) => Object.hasOwn(givenOptions(id), key), sources);
  }
}

/**
 * Rethrows a clash whose message names only given values (no question can settle it), within a pattern or
 * between patterns; one that names an option still to be answered is left to the questions.
 */
function refuseClashOfGivenValues(error: unknown, options: readonly PatternOption[], given: (option: PatternOption) => boolean, sources: OptionSources): void {
  if (!(error instanceof ValidationError)) throw error;
  const named = optionsNamedIn(error.message, options, sources);
  if (named.length > 0 && named.every(given)) throw error;
}

/**
 * A clash between patterns (two of them using one queue) shows when the plan is built from every answer: before
 * the summary, the questions it names are asked again, as within a pattern. Declined, the clash is the error.
 */
export async function askAgainForClashesBetweenPatterns(
  ask: Prompter,
  answers: Answers,
  asked: ReadonlyMap<PatternId, ReadonlySet<string>>,
  sources: OptionSources,
  check: (answers: Answers, sources: OptionSources) => void,
): Promise<void> {
  const named = namedAsGiven((id, key) => asked.get(id)?.has(key) === true, sources);
  for (;;) {
    let problem: string;
    try {
      check(answers, named);
      return;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problem = error.message;
    }
    // Named as the plan names them: by its question.
    const askAgain = optionsNamedIn(problem, [...asked].flatMap(([id, keys]) => [...keys].map((key) => ({ id, key }))), named);
    // Nothing asked is named (a clash between flags, or one no option can settle): the plan reports it.
    if (askAgain.length === 0) return;
    if (!(await ask.confirm({ message: `${problem}. Answer those questions again?`, default: true }))) throw new ValidationError(problem);
    for (const id of new Set(askAgain.map((entry) => entry.id))) {
      const given = answers.patterns[id]!;
      const previous = { ...given };
      for (const { key } of askAgain.filter((entry) => entry.id === id)) delete given[key];
      await askMissingOptions(ask, id, given, sources, previous);
    }
  }
}

/**
 * One pass over the options: returns the answers given in it and every option's value (undefined when a given
 * value does not parse: the plan reports that one, with its flag).
 */
async function askOptionsOnce(
  ask: Prompter,
  title: string,
  specs: Readonly<Record<string, OptionSpec>>,
  given: Record<string, unknown>,
  previous: Readonly<Record<string, unknown>>,
): Promise<{ answered: Record<string, unknown>; options: Record<string, JsonValue> | undefined }> {
  const earlier: Record<string, JsonValue> = {};
  const answered: Record<string, unknown> = {};
  let parsable = true;
  for (const [key, spec] of Object.entries(specs)) {
    if (key in given) {
      const value = parsedOr(spec, given[key]);
      parsable &&= value !== undefined;
      earlier[key] = value ?? null;
    } else if (spec.askWhen?.(earlier) ?? true) {
      const { answer, value } = await askOption(ask, title, spec, previous[key]);
      given[key] = answered[key] = answer;
      earlier[key] = value;
    } else {
      earlier[key] = spec.defaultValue;
    }
  }
  return { answered, options: parsable ? earlier : undefined };
}

/** One option of one pattern. */
interface PatternOption {
  id: PatternId;
  key: string;
}

/** Every option of these patterns. */
function optionsOf(ids: readonly PatternId[]): PatternOption[] {
  return ids.flatMap((id) => Object.keys(PATTERNS[id].options).map((key) => ({ id, key })));
}

/**
 * The options a message names, by the names `sources` gives them (a flag, a key path in an answers file, or a
 * question): `--data-container`, and not only the start of `--data-container-x`.
 */
function optionsNamedIn(message: string, options: readonly PatternOption[], sources: OptionSources): PatternOption[] {
  return options.filter(({ id, key }) => new RegExp(`${shownName(sources(id, key)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(message));
}

/** An answer given at a prompt is named by its question, which is what is asked again; a flag or key as it was given. */
function namedAsGiven(answeredAtPrompt: (id: PatternId, key: string) => boolean, sources: OptionSources): OptionSources {
  return (id, key) => (answeredAtPrompt(id, key) ? { ...sources(id, key), question: questionName(PATTERNS[id].options[key]!) } : sources(id, key));
}

/** The message of the pattern's rule across options that these options break, if any. */
function clashBetween(definition: PatternDefinition, options: Record<string, JsonValue>, name: (key: string) => string): string | undefined {
  try {
    definition.validate?.(options, name);
    return undefined;
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
}

/** A value that does not parse is reported, with its flag, when the plan is built; until then it is unknown. */
function parsedOr(spec: OptionSpec, value: unknown): JsonValue | undefined {
  try {
    return spec.parse(value);
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

/**
 * Asks one pattern option, validated inline by the option's own parser. Returns the answer as given (the plan
 * parses it with the flags' values) and its parsed value, which the validation already computed.
 */
async function askOption(ask: Prompter, patternTitle: string, spec: OptionSpec, previous: unknown): Promise<{ answer: unknown; value: JsonValue }> {
  const message = `${patternTitle}: ${questionText(spec)}`;
  const parse = rememberLastParse(spec.parse);
  // Asked again, the answer given before is the default.
  const shown = previous === undefined ? spec.format(spec.defaultValue) : String(previous);
  const checked = [previous, spec.defaultValue].find(Array.isArray) ?? [];
  const answer = await (() => {
    switch (spec.prompt.kind) {
      case 'input': {
        const required = spec.requiredWhenAsked;
        const check = validator(parse);
        return ask.input({ message, default: shown, validate: (value) => (required !== undefined && String(value).trim() === '' ? required : check(value)) });
      }
      case 'select':
        return ask.select({ message, choices: spec.prompt.choices, default: shown });
      case 'checkbox':
        return ask.checkbox({ message, choices: spec.prompt.choices, default: checked as string[], validate: validator(parse) });
    }
  })();
  return { answer, value: parse(answer) };
}

/** The answer a prompt accepted is the one its validation parsed last: that parse is reused, not repeated. */
function rememberLastParse(parse: (input: unknown) => JsonValue): (input: unknown) => JsonValue {
  let last: { input: string; value: JsonValue } | undefined;
  return (input) => {
    const key = JSON.stringify(input);
    if (last?.input !== key) last = { input: key, value: parse(input) };
    return last.value;
  };
}

/** Inline prompt validation runs the very parser the flags use: one source of truth. */
function validator(parse: (input: unknown) => unknown): (value: unknown) => string | true {
  return (value) => {
    try {
      parse(value);
      return true;
    } catch (error) {
      if (error instanceof ValidationError) return error.message;
      throw error;
    }
  };
}
