import chalk from 'chalk';
import { relative, resolve } from 'node:path';
import { ExitCode, UserError } from '../exit-codes.js';
import { resolveAnswers, type CreateInput } from '../engine/answers.js';
import { diffTree, existingEntries, nonEmptyTargetError, type FileChange } from '../engine/changes.js';
import { packageManagerCommands, type PackageManager } from '../engine/package-manager.js';
import { buildPlan, type Plan } from '../engine/plan.js';
import { runPostSteps, whileInterruptible, type PostStepResult } from '../engine/post-steps.js';
import { renderPlan } from '../engine/render.js';
import { applyChanges, refuseUnwritable } from '../engine/write.js';
import type { Logger } from '../logger.js';
import { promptOutput, type Prompter } from '../prompts.js';
import type { Recommendation } from '../advisor.js';
import { flagName } from '../patterns/option-kinds.js';
import { terminalWrap, type TerminalWrap } from '../terminal-wrap.js';

export interface CreateOptions extends CreateInput {
  dryRun: boolean;
  git: boolean;
  install: boolean;
  packageManager: PackageManager;
}

export interface CreateResult {
  directory: string;
  patterns: string[];
  files: string[];
  dryRun: boolean;
  postSteps: PostStepResult[];
  nextSteps: string[];
}

/**
 * The pipeline, in order: answers → validated plan → in-memory tree → diff against the disk → write →
 * post-steps. Every step before `applyChanges` is free of side effects, which is what makes
 * `--dry-run` and the conflict check trustworthy.
 */
export async function createApp(
  options: CreateOptions,
  session: { interactive: boolean; prompter: Prompter; logger: Logger; cwd: string },
): Promise<CreateResult> {
  const { directory, answers, recommendations, sources, notices } = await resolveAnswers(options, session);
  for (const notice of notices) session.logger.warn(chalk.yellow(`⚠ ${notice}`));
  const plan = buildPlan(answers, resolve(session.cwd, directory), sources);
  const tree = renderPlan(plan, { packageManager: options.packageManager });
  const changes = diffTree(tree, plan.targetDir);
  refuseNonEmptyTarget(plan, changes);

  const { logger } = session;
  // Before a question (the confirmation), wrapped as the summary is; a pipeline or --yes gets them whole.
  const wrap = session.interactive && !options.yes ? await terminalWrap(promptOutput() ?? process.stdout) : undefined;
  for (const notice of plan.contribution.notices) logger.show(wrapLines(notice, wrap));
  const files = changes.map((change) => change.path);
  const shownDir = displayPath(session.cwd, plan.targetDir);
  if (options.dryRun) {
    refuseUnwritable(plan.targetDir, changes);
    logger.info(`Dry run: would create ${files.length} files in ${shownDir} (nothing written):`);
    for (const path of files) logger.info(`  ${chalk.green('create')} ${path}`);
    return result(plan, shownDir, files, true, [], options.packageManager);
  }

  if (session.interactive && !options.yes) {
    printSummary(logger, plan, recommendations, shownDir, files.length, wrap);
    if (!(await session.prompter.confirm({ message: `Write ${files.length} files to ${shownDir}?`, default: true }))) {
      throw new UserError('cancelled; nothing was written', ExitCode.Interrupted);
    }
  }

  return whileInterruptible(async (interrupted) => {
    applyChanges(plan.targetDir, changes);
    logger.info(`${chalk.green('✔')} Created ${files.length} files in ${shownDir}`);
    const postSteps = await runPostSteps({ targetDir: plan.targetDir, git: options.git, install: options.install, packageManager: options.packageManager }, logger, interrupted);
    const outcome = result(plan, shownDir, files, false, postSteps, options.packageManager);
    printNextSteps(logger, outcome);
    const unfinished = postSteps.filter((step) => step.status === 'interrupted').map((step) => step.step);
    if (interrupted.aborted || unfinished.length > 0) {
      throw new UserError(
        `interrupted: the project was created in ${shownDir}${unfinished.length > 0 ? `, but ${unfinished.join(' and ')} did not finish; ${runByHand(unfinished)}` : ''}`,
        ExitCode.Interrupted,
        [],
        outcome,
      );
    }
    const failed = postSteps.filter((step) => step.status === 'failed');
    if (failed.length > 0) {
      throw new UserError(
        `the project was created in ${shownDir}, but ${failed.map((step) => step.step).join(' and ')} failed; ${runByHand(failed)}`,
        ExitCode.PostStep,
        failed.map((step) => `${step.step}: ${step.detail}`),
        outcome,
      );
    }
    return outcome;
  });
}

function runByHand(steps: readonly unknown[]): string {
  return steps.length > 1 ? 'run them by hand' : 'run it by hand';
}

/** What is about to be generated, so a person can say no before anything is written. */
function printSummary(logger: Logger, plan: Plan, recommendations: readonly Recommendation[], shownDir: string, fileCount: number, wrap: TerminalWrap | undefined): void {
  const { contribution } = plan;
  const row = (label: string, text: string, style?: (line: string) => string) => logger.show(summaryRow(label, text, wrap, style));
  logger.show(`\n${chalk.bold('Summary')}`);
  row('project', `${plan.project.name} in ${shownDir} (${plan.project.location})`);
  for (const { definition, options } of plan.patterns) {
    const { useCase, scalability, complexity } = definition.matrix;
    row('pattern', `${definition.title} — ${useCase} · scalability ${scalability} · complexity ${complexity}`);
    for (const reason of recommendations.find((r) => r.id === definition.id)?.reasons ?? []) row('', `why: ${reason}`, chalk.dim);
    // The answers, as the flags that would give them (the questions have scrolled away); only those that apply.
    for (const [key, spec] of Object.entries(definition.options)) {
      if (spec.askWhen?.(options) === false) continue;
      // As a shell would read it: a job list holds `|`, `;` and `*`.
      row('', `${flagName(spec)} ${shellWord(spec.format(options[key]!))}`);
    }
  }
  // Every Bicep module the app gets, the base project's and the patterns', by file name.
  const modulePaths = [...contribution.files.map((file) => file.path), ...contribution.infraModules.map((module) => module.path)].filter((path) => /^infra\/modules\/[^/]+\.bicep$/.test(path));
  const modules = [...new Set(modulePaths)].map((path) => path.slice('infra/modules/'.length, -'.bicep'.length)).sort();
  row('infra', `${modules.join(', ')}; ${contribution.alerts.length} log alerts`);
  row('files', String(fileCount));
  row('cost', '(billing model as of November 2026; check the Azure pricing calculator for prices)');
  for (const note of contribution.costNotes) row('', note, chalk.dim);
  logger.show('');
}

const SUMMARY_LABEL_WIDTH = 12;

/** Each line of `text` wrapped to the terminal, its further lines indented two more than it (`  next runs: …`). */
function wrapLines(text: string, wrap: TerminalWrap | undefined): string {
  if (!wrap) return text;
  return text
    .split('\n')
    .map((line) => {
      const indent = line.slice(0, line.length - line.trimStart().length);
      return wrap(line.trimStart(), indent, `${indent}  `);
    })
    .join('\n');
}

/**
 * `  label     text`, the text wrapped by `wrap` (at word boundaries, to what is left of the terminal's width) and
 * its further lines under it: a terminal would otherwise break a long reason mid-word at its edge.
 */
export function summaryRow(label: string, text: string, wrap?: TerminalWrap, style: (line: string) => string = (line) => line): string {
  const head = `  ${label}`.padEnd(SUMMARY_LABEL_WIDTH);
  const row = wrap ? wrap(text, head, ' '.repeat(SUMMARY_LABEL_WIDTH)) : `${head}${text}`;
  return row.split('\n').map(style).join('\n');
}

/** A path as one word for a POSIX shell, so the `cd` of the next steps can be pasted: `my app` → `'my app'`. */
function shellWord(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** `cd -app` would read the folder as options: `./-app` cannot be. */
function notAnOption(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/** How a path is shown and used in `cd`: relative below the working directory, absolute elsewhere. */
function displayPath(cwd: string, target: string): string {
  const fromCwd = relative(cwd, target);
  if (fromCwd === '') return '.';
  return fromCwd.startsWith('..') ? target : fromCwd;
}

/** A new project goes into a missing or empty directory only: never over someone's files. */
function refuseNonEmptyTarget(plan: Plan, changes: readonly FileChange[]): void {
  const entries = existingEntries(plan.targetDir);
  if (entries.length === 0) return;
  const conflicting = changes.filter((change) => change.kind !== 'create').map((change) => change.path);
  throw nonEmptyTargetError(
    plan.targetDir,
    conflicting.length > 0 ? `${conflicting.length} file(s) would be overwritten` : 'it already holds files',
    conflicting.length > 0 ? conflicting : entries,
  );
}

function result(plan: Plan, shownDir: string, files: string[], dryRun: boolean, postSteps: PostStepResult[], pm: PackageManager): CreateResult {
  const run = packageManagerCommands(pm).run;
  const installed = postSteps.some((step) => step.step === 'install' && step.status === 'done');
  const gitUnfinished = postSteps.some((step) => step.step === 'git' && (step.status === 'failed' || step.status === 'interrupted'));
  const nextSteps = [
    ...(shownDir === '.' ? [] : [`cd ${shellWord(notAnOption(shownDir))}`]),
    // The install before the commit, so that the commit holds the lockfile.
    ...(installed ? [] : [packageManagerCommands(pm).install.join(' ')]),
    ...(gitUnfinished ? ['git init && git add --all && git commit -m "Initial commit"'] : []),
    run('test'),
    `${run('start')}   # needs Azure Functions Core Tools and Azurite`,
    'azd up   # provision and deploy to Azure',
    ...plan.contribution.nextSteps,
  ];
  return { directory: plan.targetDir, patterns: plan.patterns.map((p) => p.definition.id), files, dryRun, postSteps, nextSteps };
}

function printNextSteps(logger: Logger, outcome: CreateResult): void {
  logger.info(`\n${chalk.bold('Next steps:')}`);
  for (const step of outcome.nextSteps) logger.info(`  ${chalk.cyan(step)}`);
}
