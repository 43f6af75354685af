import { existsSync } from 'node:fs';
import { join } from 'node:path';
import chalk from 'chalk';
import { CHECKS, NotApplicable, ProjectFiles, UnusableFileError, type Check, type Finding } from '../doctor/checks.js';
import { givenFolder } from '../engine/given-folder.js';
import { findProjectRoot, MANIFEST_PATH } from '../engine/manifest.js';
import { ExitCode, UserError } from '../exit-codes.js';

export interface CheckResult {
  id: string;
  title: string;
  status: 'ok' | 'warning' | 'error' | 'skipped';
  findings: Finding[];
  /** Why the check did not apply to this project (status "skipped"). */
  skipped?: string;
}

export interface DoctorReport {
  directory: string;
  /** False when any check found an error; warnings alone leave it true. */
  ok: boolean;
  errors: number;
  warnings: number;
  checks: CheckResult[];
}

/**
 * Runs every check against the project `directory` is in: the generated app holding it, found as `add` finds
 * it (so doctor works from `src/functions`), else `directory` itself. A check that cannot read its file reports that.
 */
export function diagnoseProject(directory: string, checks: readonly Check[] = CHECKS): DoctorReport {
  const start = givenFolder(process.cwd(), directory, 'doctor');
  const root = findProjectRoot(start);
  const checked = root ?? start;
  // A generated app is one whatever it lost: its checks say what a missing package.json or host.json breaks.
  const missing = root === undefined ? ['package.json', 'host.json'].filter((file) => !existsSync(join(checked, file))) : [];
  if (missing.length > 0) {
    throw new UserError(`${checked} is not an Azure Functions project (no ${missing.join(' and ')}), and no folder above it holds ${MANIFEST_PATH}; run doctor inside the generated app`, ExitCode.Usage);
  }
  const project = new ProjectFiles(checked);
  const unusable = new Map<string, Check>();
  const results = checks.map((check): CheckResult => {
    const findings = runCheck(check, project, unusable);
    if (findings instanceof NotApplicable) return { id: check.id, title: check.title, status: 'skipped', findings: [], skipped: findings.reason };
    const status = findings.some((f) => f.severity === 'error') ? 'error' : findings.length > 0 ? 'warning' : 'ok';
    return { id: check.id, title: check.title, status, findings };
  });
  const all = results.flatMap((result) => result.findings);
  const errors = all.filter((finding) => finding.severity === 'error').length;
  return { directory: checked, ok: errors === 0, errors, warnings: all.length - errors, checks: results };
}

/**
 * Runs one check; a file it cannot use is its error, once: a later check that needs the same file is skipped, naming
 * the check that reported it, so that one broken package.json is one problem with one fix, not one per check.
 * `unusable` maps each file reported so far to the check that reported it.
 */
function runCheck(check: Check, project: ProjectFiles, unusable: Map<string, Check>): Finding[] | NotApplicable {
  try {
    return check.run(project);
  } catch (error) {
    if (!(error instanceof UnusableFileError)) throw error;
    const reporter = unusable.get(error.path);
    if (reporter !== undefined) return new NotApplicable(`needs ${error.path}, which ${reporter.id} reports unusable above`);
    unusable.set(error.path, check);
    return [{ severity: 'error', file: error.path, message: error.message, fix: error.fix }];
  }
}

/**
 * `create-serverless-app doctor [directory] [--json]`. Returns the exit code: 0 when no check found an error
 * (warnings allowed), 6 when at least one did; 2 (thrown) when the directory is no folder (a file, or missing), or not a
 * Functions project.
 * The report is the whole output, so problems are not thrown as an error: --json stays one document.
 */
export async function runDoctorCommand(options: { directory?: string; json: boolean }): Promise<number> {
  const report = diagnoseProject(options.directory ?? process.cwd());
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(formatReport(report));
  if (report.ok) return ExitCode.Ok;
  process.stderr.write(`✖ doctor found ${report.errors} problem${report.errors === 1 ? '' : 's'}${options.json ? '' : ' (fixes above)'}\n`);
  return ExitCode.DoctorProblems;
}

export function formatReport(report: DoctorReport): string {
  const lines: string[] = [`Checking ${report.directory}`, ''];
  for (const check of report.checks) {
    if (check.status === 'skipped') {
      lines.push(`${chalk.dim('-')} ${check.title} ${chalk.dim(`(skipped: ${check.skipped})`)}`);
      continue;
    }
    const mark = check.status === 'ok' ? chalk.green('✔') : check.status === 'warning' ? chalk.yellow('⚠') : chalk.red('✖');
    lines.push(`${mark} ${check.title}`);
    for (const finding of check.findings) {
      lines.push(`    ${finding.severity === 'error' ? chalk.red('error') : chalk.yellow('warning')}${finding.file ? ` ${finding.file}` : ''}: ${finding.message}`);
      lines.push(`      fix: ${finding.fix}`);
    }
  }
  lines.push('', report.ok ? `${chalk.green('No problems found')}${report.warnings ? ` (${report.warnings} warning${report.warnings === 1 ? '' : 's'})` : ''}.` : `${report.errors} error(s), ${report.warnings} warning(s).`, '');
  return lines.join('\n');
}
