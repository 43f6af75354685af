import chalk from 'chalk';
import { createTwoFilesPatch } from 'diff';
import { parse, visit } from 'jsonc-parser';
import { isUtf8 } from 'node:buffer';
import { existsSync, statSync } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { gt, valid } from 'semver';
import { ExitCode, labelled, UserError, ValidationError, ValidationProblems, type ExitCodeValue } from '../exit-codes.js';
import { isManifest, keyPathIn, loadAnswersFile, type AnswersFile } from '../engine/answers-file.js';
import { askAgainForClashesBetweenPatterns, askMissingOptions, checkGivenOptions, NOT_ASKED, optionSources, parsePatternIds, patternChoiceLabel } from '../engine/answers.js';
import type { FileChange } from '../engine/changes.js';
import { withoutBom } from '../engine/byte-order-mark.js';
import { cannotRead, isErrno } from '../engine/fs-errors.js';
import { givenFolder } from '../engine/given-folder.js';
import { answersEditedError, findProject, isMachineLocal, MANIFEST_PATH, withEntries, withUsersKeys, type Manifest } from '../engine/manifest.js';
import { planFileUpdates, valueAt, type FileAction, type PlannedFile } from '../engine/merge.js';
import { corepackPackageManager, detectPackageManager, lockfilePackageManager, packageManagerCommands, type PackageManager } from '../engine/package-manager.js';
import { buildPlan, type Answers, type Plan } from '../engine/plan.js';
import { deliverPendingSignals, runPostSteps, whileInterruptible, type PostStepResult } from '../engine/post-steps.js';
import { readTree, renderPlan } from '../engine/render.js';
import { applyChanges, refuseUnwritable } from '../engine/write.js';
import type { Logger } from '../logger.js';
import { findPatternId, PATTERN_IDS, PATTERNS, sortPatternIds } from '../patterns/index.js';
import { flagName } from '../patterns/option-kinds.js';
import type { PatternId } from '../patterns/types.js';
import type { Prompter } from '../prompts.js';
import { GENERATOR } from '../version.js';
import type { ConflictChoice } from './conflict-choices.js';


export interface AddOptions {
  /** Pattern ids as typed: `event-processing` or `a,b`, one or several arguments. */
  patterns: readonly string[];
  /** Option values of the added patterns, from their flags. */
  patternOptions: Partial<Record<PatternId, Record<string, string>>>;
  /** A JSON file of pattern options: `{ "<pattern-id>": { "<option>": value } }`. */
  answersFile?: string;
  /** The project folder (or any folder inside it); the working directory by default. */
  dir?: string;
  yes: boolean;
  dryRun: boolean;
  install: boolean;
  /** --json: the result goes to a machine, and nothing is asked, even in a terminal. */
  json?: boolean;
  /** Settles every conflict the same way, for runs without a terminal. */
  conflict?: ConflictChoice;
  /** The install's, when given; else the one whose lockfile the project has, else package.json's corepack `packageManager`, else the one it was made for, else the one that launched us. */
  packageManager?: PackageManager;
}

export type Outcome = Exclude<FileAction, 'conflict'> | `conflict:${ConflictChoice}` | 'conflict';

export interface AddResult {
  root: string;
  added: PatternId[];
  alreadyPresent: PatternId[];
  /** What happened (or, in a dry run, would happen) to every file of the new tree that is not unchanged. */
  files: { path: string; outcome: Outcome }[];
  written: boolean;
  /** The commands the run printed as next steps (none in a dry run). */
  nextSteps: string[];
}

export interface Session {
  interactive: boolean;
  prompter: Prompter;
  logger: Logger;
  cwd: string;
}

/**
 * The pipeline: manifest → new answers → the tree as generated before (base) and as it is now wanted
 * (theirs) → per file: create, update, merge into the user's edits or ask → show the diff → confirm →
 * one transactional write, manifest last → install. Everything before the write is side-effect free.
 */
export async function addPatterns(options: AddOptions, session: Session): Promise<AddResult> {
  const { logger } = session;
  const ask = session.interactive && !options.yes ? session.prompter : undefined;
  const { root, manifest, manifestText } = await findProject(options.dir === undefined ? session.cwd : givenFolder(session.cwd, options.dir, '--dir'));
  refuseNewerGenerator(manifest);
  // Both trees with the package manager the project was made for: its README's commands are no edit of the user's.
  const before = recordedPlan(manifest, root);
  const base = treeFiles(before, manifest.packageManager);
  base.delete(MANIFEST_PATH);
  refuseUnexplainedFiles(manifest, base, join(root, MANIFEST_PATH));
  const present = sortPatternIds(Object.keys(manifest.answers.patterns) as PatternId[]);

  // Only the pattern options count: the project's name and location are already recorded.
  const file = options.answersFile === undefined ? undefined : await loadAnswersFile(resolve(session.cwd, options.answersFile), options.answersFile);
  const fromFile = file?.patterns ?? {};
  const sources = optionSources(file, options.patternOptions);
  // Every problem with what was given is listed in one report, before any question: unknown patterns, options of
  // patterns neither present nor being added, options a present pattern was not made with, values that do not parse,
  // and, where nothing can be asked, the pattern nobody named.
  const problems = new ValidationProblems();
  const named = requestedPatterns(options.patterns, sortPatternIds(Object.keys(fromFile) as PatternId[]), present, problems);
  // Until a question chooses, any pattern the project lacks may be the one added.
  const absent = PATTERN_IDS.filter((id) => !present.includes(id));
  if (named === undefined && !ask) {
    problems.noteMissing(`add <pattern> (${absent.join(', ')})`, options.yes ? '--yes cannot default' : NOT_ASKED);
  }
  const adding = named === undefined ? absent : named.filter((id) => !present.includes(id));
  for (const problem of optionsOfOtherPatterns(options.patternOptions, file, adding, manifest)) problems.note(problem);
  // The values given for the patterns being added are checked, all of them at once, before any question: as create
  // does, so that nobody answers every question to learn at the end that a flag was wrong.
  const ofAdded = <T>(given: Partial<Record<PatternId, T>>) => Object.fromEntries(adding.flatMap((id) => (given[id] === undefined ? [] : [[id, given[id]]])));
  problems.check(() => checkGivenOptions(ofAdded(fromFile), ofAdded(options.patternOptions), sources));
  validated(() => problems.throwIfAny());
  const requested = named ?? (await askPatterns(present, ask!));
  // Chosen in the questionnaire, where a pattern whose options were given may have been left out.
  if (named === undefined) validated(() => refuseAll(optionsOfOtherPatterns(options.patternOptions, file, requested, manifest)));
  const toAdd = requested.filter((id) => !present.includes(id));
  const alreadyPresent = requested.filter((id) => present.includes(id));
  if (alreadyPresent.length > 0) logger.info(`${alreadyPresent.join(', ')} ${alreadyPresent.length > 1 ? 'are' : 'is'} already in this project.`);
  if (toAdd.length === 0) {
    // None requested: none named, and every pattern present.
    logger.info(requested.length === 0 ? 'all four patterns are already in this project; nothing to add' : 'Nothing to change.');
    return { root, added: [], alreadyPresent, files: [], written: false, nextSteps: [] };
  }

  // A whole manifest is the record of another app: its options for present patterns are no request, only said.
  const differing = file && isManifest(file) ? present.filter((id) => fromFile[id] !== undefined && !sameOptions(id, fromFile[id]!, manifest.answers.patterns[id]!)) : [];
  for (const id of differing) {
    logger.warn(chalk.yellow(`⚠ ${file!.source}: ${id} is already in this project; its options there are not applied (add does not change a present pattern)`));
  }
  // An answers file made for create, or another app's manifest, does not rename or move this project.
  const otherProject = (['name', 'location'] as const).filter((key) => file?.[key] !== undefined && file[key] !== manifest.answers[key]);
  if (otherProject.length > 0) {
    const values = (answers: Partial<Answers>) => otherProject.map((key) => answers[key]).join(', ');
    logger.warn(chalk.yellow(`⚠ ${file!.source}: its ${otherProject.join(' and ')} (${values(file!)}) ${otherProject.length > 1 ? 'are' : 'is'} not applied: add keeps the project's (${values(manifest.answers)})`));
  }
  const wanted: Answers = { ...manifest.answers, patterns: { ...manifest.answers.patterns } };
  const asked = new Map<PatternId, Set<string>>();
  for (const id of toAdd) {
    const given: Record<string, unknown> = { ...fromFile[id], ...options.patternOptions[id] };
    if (ask) asked.set(id, await askMissingOptions(ask, id, given, sources));
    wanted.patterns[id] = given;
  }
  const planOf = (answers: Answers, named = sources) => buildPlan(answers, root, named, new Set(present));
  if (ask) await askAgainForClashesBetweenPatterns(ask, wanted, asked, sources, planOf);

  const after = validated(() => planOf(wanted));
  if (manifest.generator.version !== GENERATOR.version) {
    logger.warn(
      chalk.yellow(`⚠ this project was generated by ${GENERATOR.name} ${manifest.generator.version}, this is ${GENERATOR.version}: files you edited are merged against what ${GENERATOR.version} generates, so check the diffs.`),
    );
  }

  const theirs = treeFiles(after, manifest.packageManager);
  const newManifest = theirs.get(MANIFEST_PATH)!;
  theirs.delete(MANIFEST_PATH);
  const { files: ours, notUtf8 } = await readFiles(root, [...theirs.keys()].flatMap((path) => [path, sideBySidePath(path)]));
  const planned = planFileUpdates({ base, theirs, ours, recorded: generatedEntries(manifest.files, base) }).map((file) => (notUtf8.has(file.path) ? withoutMerge(file) : file));

  const shownRoot = relative(session.cwd, root) || 'this project';
  for (const notice of newItems(after.contribution.notices, before.contribution.notices)) logger.show(notice);
  showPlan(logger, toAdd, shownRoot, planned, options.conflict);

  const uncommitted = await uncommittedChanges(root);
  if (uncommitted > 0) {
    logger.warn(
      chalk.yellow(`⚠ ${uncommitted} uncommitted change${uncommitted > 1 ? 's' : ''} in ${shownRoot}: commit or stash them first, so that git diff shows only what add changes.`),
    );
  }

  const conflicts = planned.filter((file) => file.action === 'conflict');
  const recordedByHand = ownEntries(manifest.files, base, theirs, (path) => isFile(join(root, path)));
  const manifestUpdate: FileChange = { path: MANIFEST_PATH, kind: 'update', content: withUsersKeys(withEntries(newManifest, recordedByHand), manifestText), current: manifestText };
  if (options.dryRun) {
    // What the run would refuse, its dry run refuses too, in the same order: conflicts nobody can settle, an
    // edited <file>.new, a link out of the project, a folder or file it may not write.
    refuseUnsettledConflicts(conflicts, options, ask, session.interactive);
    if (conflicts.length > 0) logger.info(conflictAdvice(conflicts, options.conflict));
    const given = new Map(options.conflict === undefined ? [] : conflicts.map((file) => [file.path, options.conflict!]));
    const changes = [...fileChanges(planned, given, ours, base), manifestUpdate];
    await refuseWritesThroughLinks(root, changes);
    refuseUnwritable(root, changes);
    logger.info('Dry run: nothing written.');
    return { root, added: toAdd, alreadyPresent, files: outcomes(planned, given), written: false, nextSteps: [] };
  }

  const choices = await resolveConflicts(conflicts, options, ask, session.interactive);
  const changes = [...fileChanges(planned, choices, ours, base), manifestUpdate];

  await refuseWritesThroughLinks(root, changes);

  if (ask && !(await ask.confirm({ message: `Apply these changes to ${shownRoot}?`, default: true }))) {
    // The same exit as Ctrl-C, as for create: a script can tell a declined add from a done one.
    throw new UserError('cancelled; nothing was written', ExitCode.Interrupted);
  }
  return whileInterruptible(async (interrupted) => {
    applyChanges(root, changes);
    await deliverPendingSignals();
    logger.info(`${chalk.green('✔')} Added ${toAdd.join(', ')}: ${summary(planned, choices)}`);
    for (const file of conflicts) {
      const choice = choices.get(file.path);
      if (choice === 'keep') logger.info(`  ${keptMessage(file)}`);
      if (choice === 'theirs') logger.info(`  ${takenMessage(file)}`);
      if (choice === 'new') logger.info(`  ${sideBySideMessage(file)}`);
    }

    const needsInstall = dependenciesChanged(changes.find((change) => change.path === 'package.json'));
    // `npx create-serverless-app add` in a pnpm project says npm launched it: npm would write a second lockfile. The
    // lockfile goes before the record: a team that moved to another package manager installs with it, as its CI does;
    // so does the one package.json declares for corepack, for a team yet to commit a lockfile.
    const packageManager =
      options.packageManager ??
      lockfilePackageManager((file) => existsSync(join(root, file))) ??
      corepackPackageManager(ours.get('package.json')) ??
      manifest.packageManager ??
      detectPackageManager(process.env.npm_config_user_agent);
    const postSteps = needsInstall ? await runPostSteps({ targetDir: root, git: false, install: options.install, packageManager }, logger, interrupted) : [];
    const installed = postSteps.some((step) => step.step === 'install' && step.status === 'done');
    const nextSteps = [
      ...(needsInstall && !installed ? [packageManagerCommands(packageManager).install.join(' ')] : []),
      ...newItems(after.contribution.nextSteps, before.contribution.nextSteps),
    ];
    if (nextSteps.length > 0) {
      logger.info(`\n${chalk.bold('Next steps:')}`);
      for (const step of nextSteps) logger.info(`  ${chalk.cyan(step)}`);
    }
    const result: AddResult = { root, added: toAdd, alreadyPresent, files: outcomes(planned, choices), written: true, nextSteps };
    // As create does: the error's --json document still says what was written, and why the install stopped.
    const unfinished = (status: PostStepResult['status'], message: string, exitCode: ExitCodeValue) => {
      const steps = postSteps.filter((step) => step.status === status);
      return steps.length === 0 ? undefined : new UserError(message, exitCode, steps.map((step) => `${step.step}: ${step.detail}`), resultDocument(result, false));
    };
    const stopped = unfinished('interrupted', 'interrupted: the patterns were added, but installing dependencies did not finish; run it by hand', ExitCode.Interrupted);
    if (stopped) throw stopped;
    if (interrupted.aborted) {
      throw new UserError(`interrupted: ${toAdd.join(', ')} ${toAdd.length === 1 ? 'was' : 'were'} added in full`, ExitCode.Interrupted, [], resultDocument(result, false));
    }
    const failed = unfinished('failed', 'the patterns were added, but installing dependencies failed (see above); run it by hand', ExitCode.PostStep);
    if (failed) throw failed;
    return result;
  });
}

/** The --json document of a run: the result, with the project as `directory`, as create's names it. */
export function resultDocument({ root, ...result }: AddResult, dryRun: boolean): object {
  return { directory: root, dryRun, ...result };
}

/**
 * The version that wrote the manifest generates, from its answers, the very files it records: a file recorded but
 * not generated means answers edited by hand where no digest tells (one an older version wrote, or removed with
 * them), and the merge would take a present pattern's wiring for the user's own and remove it. Where the digest
 * vouches for the answers, such a file is one a team recorded by hand (see ownEntries).
 */
function refuseUnexplainedFiles(manifest: Manifest, base: ReadonlyMap<string, string>, manifestPath: string): void {
  if (manifest.generator.version !== GENERATOR.version || manifest.answersSha256 !== undefined) return;
  const [first, ...more] = Object.keys(manifest.files).filter((path) => !base.has(path));
  if (first === undefined) return;
  throw answersEditedError(manifestPath, `they do not generate ${first}${more.length > 0 ? ` and ${more.length} more file${more.length > 1 ? 's' : ''}` : ''} it records`);
}

/**
 * The manifest's entries for files the recorded answers generate: only those tell what add wrote. Another entry (one a
 * team recorded by hand, or one of a file an older version generated) must not pass a file of the user's, at a path
 * the new pattern writes, for one add generated and the user left untouched: it would be replaced without a question.
 */
function generatedEntries(files: Readonly<Record<string, string>>, base: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([path]) => base.has(path)));
}

/**
 * The entries the new manifest keeps beside its own: those of files that neither version generates and that are still
 * there. A team records its own files so that doctor tells when they change, and an older version's file stays checked;
 * an entry of a file that is gone, or is a folder now, records nothing (doctor would report it on every run).
 */
function ownEntries(
  files: Readonly<Record<string, string>>,
  base: ReadonlyMap<string, string>,
  theirs: ReadonlyMap<string, string>,
  isFileThere: (path: string) => boolean,
): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([path]) => !base.has(path) && !theirs.has(path) && isFileThere(path)));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return false;
    throw cannotRead(path, error);
  }
}

/**
 * Every file the user left untouched is rewritten as this version generates it: run by an older CLI than the
 * one that made the project, add would put older code and infrastructure back over them, without a conflict.
 * A version that is not semver (edited by hand) is no reason to refuse: the warning about versions still shows.
 */
function refuseNewerGenerator(manifest: Manifest): void {
  const { version } = manifest.generator;
  if (!valid(version) || !gt(version, GENERATOR.version)) return;
  throw new UserError(
    `this project was generated by ${GENERATOR.name} ${version}, newer than this ${GENERATOR.version}: add would replace the files you left untouched with older versions; run npx ${GENERATOR.name}@latest add instead. Nothing was written`,
    ExitCode.Usage,
  );
}

/**
 * Files git reports changed or new in the project's folder (0 outside a repository, or without git): mixed
 * with them, add's changes could not be told apart or undone on their own.
 */
async function uncommittedChanges(root: string): Promise<number> {
  // execa is large: loaded only once add has a plan to show.
  const { execa } = await import('execa');
  // Without optional locks git status only reads: it would otherwise refresh the index and write it, dry run or not.
  const status = await execa('git', ['--no-optional-locks', 'status', '--porcelain', '--', '.'], { cwd: root, stdin: 'ignore' }).catch(() => undefined);
  return status?.stdout.split('\n').filter((line) => line !== '').length ?? 0;
}

/** Only new or changed dependencies call for an install, not a new description. */
function dependenciesChanged(change: FileChange | undefined): boolean {
  if (change === undefined) return false;
  const sections = (text: string | undefined) => {
    try {
      // Past a byte order mark, which the merge keeps: JSON.parse refuses it, and both sides then compared equal.
      const pkg = JSON.parse(withoutBom(text ?? '{}')) as Record<string, unknown>;
      return JSON.stringify([pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies, pkg.peerDependencies]);
    } catch {
      return undefined;
    }
  };
  return sections(change.current) !== sections(change.content);
}

/**
 * The patterns named as arguments (an unknown one noted in `problems`, the others kept), else those the answers file
 * configures (as create takes them); undefined when neither names one, and the project lacks some: they are asked for.
 */
function requestedPatterns(args: readonly string[], inFile: readonly PatternId[], present: readonly PatternId[], problems: ValidationProblems): PatternId[] | undefined {
  if (args.length > 0) {
    const typed = args.flatMap((arg) => arg.split(','));
    problems.check(() => parsePatternIds(typed, 'add'));
    return sortPatternIds([...new Set(typed.flatMap((item) => findPatternId(item.trim()) ?? []))]);
  }
  if (inFile.length > 0) return [...inFile];
  // Every pattern present: nothing to choose from, and nothing to add, which is no error.
  return PATTERN_IDS.every((id) => present.includes(id)) ? [] : undefined;
}

/** Asks which of the patterns the project lacks to add. */
async function askPatterns(present: readonly PatternId[], ask: Prompter): Promise<PatternId[]> {
  const missing = PATTERN_IDS.filter((id) => !present.includes(id));
  return (await ask.checkbox({
    message: 'Which patterns should be added?',
    choices: missing.map((id) => ({ value: id, name: patternChoiceLabel(id) })),
    validate: (values) => (values.length > 0 ? true : 'choose at least one pattern'),
  })) as PatternId[];
}

/**
 * Flags and an answers file configure only the patterns being added. A present pattern's options are recorded in
 * the manifest and `add` does not change them; repeating them with the recorded values is fine (re-running is
 * harmless). A whole manifest is the record of another app and lists every pattern of it: those are no request,
 * and are skipped. Returns one line per problem: per pattern neither present nor added, per option changed.
 */
function optionsOfOtherPatterns(given: AddOptions['patternOptions'], file: AnswersFile | undefined, toAdd: readonly PatternId[], manifest: Manifest): string[] {
  const problems: string[] = [];
  for (const [id, options] of Object.entries(given) as [PatternId, Record<string, string>][]) {
    if (toAdd.includes(id)) continue;
    const flag = (key: string) => flagName(PATTERNS[id].options[key]!);
    const recorded = manifest.answers.patterns[id];
    const flags = Object.keys(options).map(flag);
    if (!recorded && flags.length > 0) problems.push(`${flags.join(', ')} configure${flags.length > 1 ? '' : 's'} ${id}, which is neither in this project nor being added`);
    if (recorded) problems.push(...changedOptions(id, options, recorded, flag));
  }
  if (file === undefined || isManifest(file)) return problems;
  for (const [id, options] of Object.entries(file.patterns ?? {}) as [PatternId, Record<string, unknown>][]) {
    if (toAdd.includes(id)) continue;
    const recorded = manifest.answers.patterns[id];
    // The key is the pattern's id (`patterns.<id>` in an answers file as create takes it): it names the pattern.
    if (!recorded && Object.keys(options).length > 0) problems.push(`${file.source}: ${keyPathIn(file, id)}: options for a pattern that is neither in this project nor being added`);
    if (recorded) problems.push(...changedOptions(id, options, recorded, (key) => `${file.source}: ${keyPathIn(file, id, key)}`));
  }
  return problems;
}

/** Options of a present pattern that are not its recorded ones, or do not parse, each named by `label` (its flag, or its key in the file). */
function changedOptions(id: PatternId, given: Record<string, unknown>, recorded: Record<string, unknown>, label: (key: string) => string): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    // Unknown keys never get here: commander and the answers-file loader refuse them.
    const spec = PATTERNS[id].options[key]!;
    let parsed: unknown;
    try {
      parsed = labelled(label(key), () => spec.parse(value));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(error.message);
      continue;
    }
    if (JSON.stringify(parsed) !== JSON.stringify(recorded[key])) {
      problems.push(`${label(key)}: ${id} is already in this project with ${spec.format(recorded[key] as never)}; add does not change the options of a present pattern`);
    }
  }
  return problems;
}

/** Throws the problems as one report, as ValidationProblems does. */
function refuseAll(lines: readonly string[]): void {
  const problems = new ValidationProblems();
  for (const line of lines) problems.note(line);
  problems.throwIfAny();
}

/** Whether a whole manifest's options for a present pattern come to the recorded ones (unparseable ones do not). */
function sameOptions(id: PatternId, given: Record<string, unknown>, recorded: Record<string, unknown>): boolean {
  return changedOptions(id, given, recorded, (key) => key).length === 0;
}

/** The project as generated from its manifest: the common ancestor of every three-way merge. */
function recordedPlan(manifest: Manifest, root: string): Plan {
  try {
    return buildPlan(manifest.answers, root);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new UserError(`the answers recorded in ${MANIFEST_PATH} are not valid for this version of ${GENERATOR.name}: ${error.message}`, ExitCode.Usage);
  }
}

function validated<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ValidationError) throw new UserError(error.message, ExitCode.Usage, error.details);
    throw error;
  }
}

function treeFiles(plan: Plan, packageManager: PackageManager | undefined): Map<string, string> {
  // Without the package manager's own files (package-lock.json, .yarnrc): add leaves them to it.
  const tree = renderPlan(plan, { packageManager, packageManagerFiles: false });
  return new Map(tree.paths.map((path) => [path, readTree(tree, path)]));
}

/** The files that exist, as text; `notUtf8` names those whose bytes are not UTF-8 (their text is not what is on disk). */
async function readFiles(root: string, paths: readonly string[]): Promise<{ files: Map<string, string>; notUtf8: Set<string> }> {
  const files = new Map<string, string>();
  const notUtf8 = new Set<string>();
  const reads = await Promise.allSettled(
    paths.map(async (path) => {
      try {
        const bytes = await readFile(join(root, path));
        files.set(path, bytes.toString('utf8'));
        if (!isUtf8(bytes)) notUtf8.add(path);
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return;
        // Something of the user's is in the way: there is nothing to merge with, and nothing add may replace.
        if (isErrno(error, 'EISDIR')) throw inTheWay(`${path} is a folder, where the patterns write a file`);
        if (isErrno(error, 'ENOTDIR')) throw inTheWay(`a file is where the patterns need the folder of ${path}`);
        throw cannotRead(join(root, path), error);
      }
    }),
  );
  // The first failure in path order, not whichever read failed first: the same project gives the same message.
  const failed = reads.find((read) => read.status === 'rejected');
  if (failed) throw failed.reason;
  return { files, notUtf8 };
}

/** A merge of a file read with replacement characters would write them over the user's own characters. */
function withoutMerge(file: PlannedFile): PlannedFile {
  // Its text was read with replacement characters: only the new version whole can be written over it.
  if (file.action === 'conflict') return { ...file, theirsWhereConflicting: undefined, oursWhereConflicting: undefined, conflictingValues: undefined, conflictingLines: undefined };
  if (file.action !== 'merge') return file;
  return { ...file, action: 'conflict', content: undefined, reasons: ['your version is not UTF-8 text (saved in another encoding?), so it cannot be merged'] };
}

/**
 * A file or folder the user replaced with a symbolic link must not carry the write out of the project; a link
 * to a missing file reads as no file, but takes no new one either.
 */
async function refuseWritesThroughLinks(root: string, changes: readonly FileChange[]): Promise<void> {
  const realRoot = await realpath(root);
  for (const change of changes) {
    if (change.kind === 'create' && (await lstat(join(root, change.path)).catch(() => undefined))?.isSymbolicLink()) {
      throw inTheWay(`${change.path} is a symbolic link to a missing file`);
    }
    const target = await realLocation(join(root, change.path));
    const inside = relative(realRoot, target);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) throw inTheWay(`${change.path} would be written to ${target}, outside the project (through a symbolic link)`);
  }
}

/** Where writing `path` lands: the symbolic links of the file and of its existing folders resolved. */
async function realLocation(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  const parent = dirname(path);
  return parent === path ? path : join(await realLocation(parent), basename(path));
}

function inTheWay(what: string): UserError {
  return new UserError(`${what}; move it aside and run add again. Nothing was written`, ExitCode.Conflict);
}

function sideBySidePath(path: string): string {
  return `${path}.new`;
}

function newItems(after: readonly string[], before: readonly string[]): string[] {
  return after.filter((item) => !before.includes(item));
}

const LABELS: Record<FileAction, string> = {
  create: chalk.green('create  '),
  update: chalk.cyan('update  '),
  merge: chalk.cyan('merge   '),
  unchanged: chalk.dim('keep    '),
  'keep-deleted': chalk.dim('skip    '),
  conflict: chalk.red('conflict'),
};

/**
 * The plan, then a unified diff of every file that changes; for a conflict, of what the --conflict given writes
 * there, or, when the user is yet to choose, of taking the new version.
 */
function showPlan(logger: Logger, toAdd: readonly PatternId[], shownRoot: string, planned: readonly PlannedFile[], given: ConflictChoice | undefined): void {
  logger.show(`Adding ${toAdd.join(', ')} to ${shownRoot}:`);
  for (const file of planned) {
    if (file.action === 'unchanged' && file.note === undefined) continue;
    const detail = file.action === 'merge' ? ' (your edits kept)' : file.note ? ` (${file.note})` : '';
    logger.show(`  ${LABELS[file.action]} ${file.path}${detail}`);
    for (const reason of file.reasons ?? []) logger.show(`             ${reason}`);
  }
  logger.show(`  ${LABELS.update} ${MANIFEST_PATH} (records the new answers)`);
  for (const file of planned) {
    if (file.current === undefined || !['update', 'merge', 'conflict'].includes(file.action)) continue;
    const after = file.action !== 'conflict' ? file.content! : given === undefined || given === 'theirs' ? takenVersion(file) : (keptVersion(file) ?? file.current);
    const title = file.action !== 'conflict' ? file.path : given === undefined ? `${file.path}: yours → the new version (conflict)` : `${file.path}: yours → what --conflict ${given} writes`;
    const shown = (text: string) => (isMachineLocal(file.path) ? hideOwnValues(text, file.theirs) : text);
    logger.show(`\n${chalk.bold(title)}`);
    logger.show(unifiedDiff(file.path, shown(file.current), shown(after)));
  }
}

/**
 * What taking the new version writes over a conflict: its values or lines where both changed, the user's other
 * edits (and own keys: local.settings.json's secrets) kept; the new version whole where the parts cannot be settled
 * (a file of the user's in the way, a merge that would break YAML or Bicep).
 */
function takenVersion(file: PlannedFile): string {
  return file.theirsWhereConflicting ?? file.theirs;
}

/**
 * What keeping the user's version writes over a conflict: the user's values or lines where both changed and every
 * other change of the new version (package.json gets the new pattern's dependencies, main.bicep its modules); the
 * file as it is where the parts cannot be settled.
 */
function keptVersion(file: PlannedFile): string | undefined {
  return file.oursWhereConflicting ?? file.current;
}

/** What keeping the user's version did, value by value in a JSON file. */
function keptMessage(file: PlannedFile): string {
  if (file.current === undefined) return `left ${file.path} deleted, as you had it`;
  if (file.oursWhereConflicting === undefined) return `kept your ${file.path}; the new version's changes are in the diff above — apply them by hand`;
  const rest = keptVersion(file) === file.current ? '; the new version changes nothing else there' : " and merged in the new version's other changes";
  const values = file.conflictingValues;
  if (values !== undefined) return `kept your value${values.length > 1 ? 's' : ''} of ${values.join(', ')} in ${file.path}${rest}`;
  return `kept your lines of ${file.path} where both changed them (${file.conflictingLines!.join(', ')})${rest}`;
}

/** After `theirs`: what of the user's version was replaced, so that nobody learns it from a diff later. */
function takenMessage(file: PlannedFile): string {
  if (file.current === undefined) return `wrote ${file.path} again`;
  if (file.theirsWhereConflicting === undefined) return `replaced your ${file.path} with the new version; your edits to it are in the diff above`;
  const parts = file.conflictingValues ?? file.conflictingLines!;
  return `took the new version's ${settledParts(file)} of ${file.path} where both changed them (${parts.join(', ')}); your other edits stay`;
}

/** After `new`: where the new version is, and what the file itself took. */
function sideBySideMessage(file: PlannedFile): string {
  const beside = sideBySidePath(file.path);
  if (file.current === undefined) return `wrote ${beside}, the new version of ${file.path}, which you deleted: rename it to ${file.path} to take it, or delete it`;
  const took = keptVersion(file);
  if (took === file.current) return `wrote ${beside} next to ${file.path}: merge it by hand, then delete it`;
  return `wrote ${beside} next to ${file.path}, which took the new version's other changes: settle where both changed it by hand, then delete ${beside}`;
}

/**
 * The text with every string value the generator does not write there itself replaced by `"***"`: the user's
 * values stay out of terminals and CI logs, while the settings the new pattern adds show as they are.
 */
function hideOwnValues(text: string, generated: string): string {
  const generatedValue = parse(generated) as unknown;
  const hidden: { offset: number; length: number }[] = [];
  visit(text, {
    onLiteralValue: (value: unknown, offset, length, _line, _character, path) => {
      if (typeof value === 'string' && valueAt(generatedValue, path()) !== value) hidden.push({ offset, length });
    },
  });
  return hidden.reduceRight((shown, { offset, length }) => `${shown.slice(0, offset)}"***"${shown.slice(offset + length)}`, text);
}

function unifiedDiff(path: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('====')) // the separator says nothing the title does not
    .map((line) => (line.startsWith('+') ? chalk.green(line) : line.startsWith('-') ? chalk.red(line) : line.startsWith('@@') ? chalk.cyan(line) : line))
    .join('\n')
    .trimEnd();
}

/** `2 files`, `1 file`. */
function fileCount(count: number): string {
  return `${count} file${count > 1 ? 's' : ''}`;
}

/**
 * The conflicts in words: files the user edited and files they deleted, with `changed` saying what happens to them
 * (its verb agreeing with both counted together), and files of the user's that the generator never wrote, which are
 * in the way.
 */
function describeConflicts(conflicts: readonly PlannedFile[], changed: (count: number) => string): string {
  const foreign = conflicts.filter((file) => file.notGenerated).length;
  const deleted = conflicts.filter((file) => file.current === undefined).length;
  const edited = conflicts.length - foreign - deleted;
  // "2 files you edited and 1 you deleted": the noun once.
  const own = [...(edited > 0 ? [`${fileCount(edited)} you edited`] : []), ...(deleted > 0 ? [`${edited > 0 ? deleted : fileCount(deleted)} you deleted`] : [])];
  return [
    ...(own.length > 0 ? [`${own.join(' and ')} ${changed(edited + deleted)}`] : []),
    ...(foreign > 0 ? [`${fileCount(foreign)} that ${GENERATOR.name} did not generate ${foreign > 1 ? 'are' : 'is'} in the way`] : []),
  ].join(' and ');
}

/** What the run will do about the conflicts: ask, or what the --conflict given settles them with. */
function conflictAdvice(conflicts: readonly PlannedFile[], given: ConflictChoice | undefined): string {
  const files = describeConflicts(conflicts, (count) => `${count > 1 ? 'are' : 'is'} changed by the new version too`);
  if (given === undefined) return `${files}: choose for each when asked, or pass --conflict keep|theirs|new.`;
  // Values in JSON, lines elsewhere; a file of yours in the way, or one the parts would make invalid YAML or Bicep, whole.
  const settled: Record<ConflictChoice, string> = {
    keep: "each file keeps your values or lines where you changed them too and takes the new version's other changes (a file that cannot be settled so stays as you have it)",
    theirs: "each file takes the new version's values or lines where you changed them too and keeps your other edits (a file that cannot be settled so is replaced whole, and your edits to it are lost)",
    new: "the new version is written beside each as <file>.new, and each file takes the new version's changes that do not conflict with yours",
  };
  return `${files}: with --conflict ${given}, ${settled[given]}.`;
}

/** Without --conflict and without asking (no terminal, --json, or --yes), nobody can settle the conflicts. */
function refuseUnsettledConflicts(
  conflicts: readonly PlannedFile[],
  { conflict: given, yes, json }: Pick<AddOptions, 'conflict' | 'yes' | 'json'>,
  ask: Prompter | undefined,
  inTerminal: boolean,
): void {
  if (conflicts.length === 0 || given !== undefined || ask) return;
  // What keeps add from asking: each of them would on its own.
  const flags = [...(json ? ['--json'] : []), ...(yes ? ['--yes'] : [])];
  const without = flags.length > 0 ? `without ${flags.join(' and ')}` : '';
  const toAsk = inTerminal ? without : `in a terminal${without && ` ${without}`}`;
  throw new UserError(
    `${describeConflicts(conflicts, () => 'would change')}; nothing was written. Re-run ${toAsk} to choose per file, or with --conflict keep|theirs|new`,
    ExitCode.Conflict,
    conflicts.flatMap((file) => [file.path, ...(file.reasons ?? []).map((reason) => `  ${reason}`)]),
  );
}

async function resolveConflicts(
  conflicts: readonly PlannedFile[],
  options: Pick<AddOptions, 'conflict' | 'yes' | 'json'>,
  ask: Prompter | undefined,
  inTerminal: boolean,
): Promise<Map<string, ConflictChoice>> {
  refuseUnsettledConflicts(conflicts, options, ask, inTerminal);
  const given = options.conflict;
  const choices = new Map<string, ConflictChoice>();
  for (const file of conflicts) {
    choices.set(
      file.path,
      given ??
        ((await ask!.select({
          message:
            file.current === undefined
              ? `${file.path} was deleted by you, and the new version changes it. What should happen?`
              : file.notGenerated
                ? `${file.path} is yours (${GENERATOR.name} did not generate it) and the new version writes a file there (diff above). What should happen?`
                : `${file.path} was edited by you and the new version changes it too (diff above). What should happen?`,
          choices: [
            { value: 'keep', name: keepMineLabel(file) },
            { value: 'theirs', name: takeTheirsLabel(file) },
            { value: 'new', name: `write the new version side by side as ${sideBySidePath(file.path)}${file.oursWhereConflicting === undefined ? '' : ' (the other changes are applied)'}` },
          ],
          default: 'keep',
        })) as ConflictChoice),
    );
  }
  return choices;
}

function keepMineLabel(file: PlannedFile): string {
  if (file.current === undefined) return 'leave it deleted';
  if (file.oursWhereConflicting !== undefined) return `keep my ${settledParts(file)} where we both changed them (the new version's other changes are applied)`;
  return 'keep mine (apply the changes by hand)';
}

function takeTheirsLabel(file: PlannedFile): string {
  if (file.current === undefined) return 'write the new version again';
  if (file.theirsWhereConflicting !== undefined) return `take the new version's ${settledParts(file)} where we both changed them (my other edits stay)`;
  return 'take the new version (my edits to this file are lost)';
}

/** What a conflict is settled by: JSON values, or lines. */
function settledParts(file: PlannedFile): 'values' | 'lines' {
  return file.conflictingValues !== undefined ? 'values' : 'lines';
}

function fileChanges(
  planned: readonly PlannedFile[],
  choices: ReadonlyMap<string, ConflictChoice>,
  ours: ReadonlyMap<string, string>,
  base: ReadonlyMap<string, string>,
): FileChange[] {
  return planned.flatMap((file): FileChange[] => {
    switch (file.action) {
      case 'create':
        return [{ path: file.path, kind: 'create', content: file.content! }];
      case 'update':
      case 'merge':
        return [{ path: file.path, kind: 'update', content: file.content!, current: file.current }];
      case 'conflict': {
        const choice = choices.get(file.path);
        if (choice === 'theirs') return [{ path: file.path, kind: file.current === undefined ? 'create' : 'update', content: takenVersion(file), current: file.current }];
        const kept = keptVersion(file);
        const keeping: FileChange[] = kept === undefined || kept === file.current ? [] : [{ path: file.path, kind: 'update', content: kept, current: file.current }];
        // Beside the new version, the file takes what keep would: the changes that do not conflict.
        return choice === 'new' ? [...keeping, ...sideBySideChange(file, ours.get(sideBySidePath(file.path)), base.get(file.path))] : keeping;
      }
      default:
        return [];
    }
  });
}

/**
 * The new version beside the user's file. A `<file>.new` already there is replaced only when it is what an
 * earlier add wrote (the previous version, `base`) and nobody touched it: otherwise it holds the user's work.
 */
function sideBySideChange(file: PlannedFile, existing: string | undefined, previous: string | undefined): FileChange[] {
  const path = sideBySidePath(file.path);
  if (existing === undefined) return [{ path, kind: 'create', content: file.theirs }];
  if (existing === file.theirs) return [];
  if (existing === previous) return [{ path, kind: 'update', content: file.theirs, current: existing }];
  throw new UserError(`${path} is already there, with your edits; merge it into ${file.path} or move it aside, then run add again. Nothing was written`, ExitCode.Conflict);
}

function outcomes(planned: readonly PlannedFile[], choices: ReadonlyMap<string, ConflictChoice>): AddResult['files'] {
  return planned
    .filter((file) => file.action !== 'unchanged')
    .map((file) => {
      const choice = choices.get(file.path);
      return { path: file.path, outcome: file.action === 'conflict' && choice ? (`conflict:${choice}` as const) : file.action };
    });
}

function summary(planned: readonly PlannedFile[], choices: ReadonlyMap<string, ConflictChoice>): string {
  const count = (action: FileAction) => planned.filter((file) => file.action === action).length;
  const parts = [
    [count('create'), 'created'],
    [count('update'), 'updated'],
    [count('merge'), 'merged into your edits'],
    [[...choices.values()].filter((choice) => choice === 'theirs').length, 'settled with the new version'],
    [[...choices.values()].filter((choice) => choice === 'new').length, 'written side by side'],
    [[...choices.values()].filter((choice) => choice === 'keep').length, 'settled with your version'],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ') || 'no file changed';
}
