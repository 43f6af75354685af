import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_LOCATION } from './azure/locations.js';
import { ExitCode, UserError } from './exit-codes.js';
import { detectPackageManager, PACKAGE_MANAGERS, type PackageManager } from './engine/package-manager.js';
import { PATTERN_IDS, PATTERNS } from './patterns/index.js';
import type { PatternId } from './patterns/types.js';
import { GENERATOR } from './version.js';

// Only commander, the registry and small modules load at start-up: `--help` and `--version` stay fast.
// Everything else (prompts, Handlebars, memfs, execa, ora) is imported by the command that needs it.

const EXAMPLES = `
Examples:
  $ npx create-serverless-app my-app
      ask for everything interactively
  $ npx create-serverless-app my-app --pattern http-api,scheduled-tasks --yes --no-install
      pipeline: no prompts, defaults for every option not given
  $ npx create-serverless-app my-app --pattern http-api --dry-run
      list the files that would be written, write nothing
  $ npx create-serverless-app doctor
      inside a generated app: check what commonly breaks local runs and deploys

Exit codes: 0 ok, 1 unexpected error, 2 invalid or missing input, 3 conflict with existing files,
4 file system error, 5 project written but a post-step (git, install) failed, 6 doctor found problems,
130 interrupted.`;

interface PatternFlag {
  pattern: PatternId;
  key: string;
  attribute: string;
}

export function buildProgram(run: (action: () => Promise<void>) => Promise<void>): Command {
  const program = new Command('create-serverless-app')
    .description('Create a ready-to-deploy Azure Functions app (Node.js v4 model, TypeScript, Bicep, azd) from serverless patterns.')
    .version(GENERATOR.version, '-v, --version')
    .argument('[directory]', 'folder to create; its name is the project name unless --name is given')
    .option('-p, --pattern <ids>', `comma-separated patterns: ${PATTERN_IDS.join(', ')}`)
    .option('-n, --name <name>', 'project name (npm package name; lowercase letters, digits, hyphens)')
    .option('-l, --location <region>', `Azure region with Flex Consumption (default: ${DEFAULT_LOCATION})`)
    .option('-y, --yes', 'accept defaults for everything not given; never prompt', false)
    .option('--dry-run', 'print the files that would be written and write nothing', false)
    .addOption(new Option('--package-manager <pm>', 'package manager for install and next steps (default: the one that launched this)').choices(PACKAGE_MANAGERS))
    .option('--no-install', 'do not install dependencies')
    .option('--no-git', 'do not initialise a git repository')
    .option('--debug', 'print stack traces for unexpected errors', false)
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride();

  const patternFlags: PatternFlag[] = [];
  for (const id of PATTERN_IDS) {
    for (const [key, spec] of Object.entries(PATTERNS[id].options)) {
      const option = new Option(spec.flag, `[${id}] ${spec.description} (default: ${spec.format(spec.defaultValue)})`);
      program.addOption(option);
      patternFlags.push({ pattern: id, key, attribute: option.attributeName() });
    }
  }

  // A subcommand is matched before the default action: `create-serverless-app ./doctor` creates a folder named doctor.
  program
    .command('doctor')
    .description('check the project in the current (or given) directory for what commonly breaks local runs and deploys')
    .argument('[directory]', 'project directory (default: the current directory)')
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText('after', '\nExit codes: 0 no errors (warnings allowed), 2 not a Functions project, 6 at least one error.')
    .action((directory: string | undefined, flags: { json: boolean }) =>
      run(async () => {
        const { runDoctorCommand } = await import('./commands/doctor.js');
        await runDoctorCommand({ directory, json: flags.json });
      }),
    );

  program.action((directory: string | undefined, flags: Record<string, unknown>) =>
    run(async () => {
      const { runCreateCommand } = await import('./commands/create-command.js');
      const patternOptions: Partial<Record<PatternId, Record<string, string>>> = {};
      for (const flag of patternFlags) {
        const value = flags[flag.attribute];
        if (value !== undefined) (patternOptions[flag.pattern] ??= {})[flag.key] = value as string;
      }
      await runCreateCommand({
        directory,
        name: flags.name as string | undefined,
        pattern: flags.pattern as string | undefined,
        location: flags.location as string | undefined,
        patternOptions,
        yes: flags.yes as boolean,
        dryRun: flags.dryRun as boolean,
        git: flags.git as boolean,
        install: flags.install as boolean,
        packageManager: (flags.packageManager as PackageManager | undefined) ?? detectPackageManager(process.env.npm_config_user_agent),
      });
    }),
  );
  return program;
}

/** Runs the CLI and returns the exit code; user errors print one line, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug') || Boolean(process.env.DEBUG);
  let exitCode: number = ExitCode.Ok;
  const run = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      exitCode = report(error, debug);
    }
  };
  try {
    await buildProgram(run).parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help/version text).
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    return report(error, debug);
  }
  return exitCode;
}

function report(error: unknown, debug: boolean): number {
  if (error instanceof UserError) {
    process.stderr.write(`✖ ${error.message}\n${error.details.map((line) => `  ${line}\n`).join('')}`);
    return error.exitCode;
  }
  process.stderr.write(`✖ unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('  run again with --debug for details, and please report it\n');
  return ExitCode.Unexpected;
}
