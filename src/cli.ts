import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { DEFAULT_LOCATION } from './azure/locations.js';
import { ExitCode, UserError, ValidationError } from './exit-codes.js';
import { PACKAGE_MANAGERS, type PackageManager } from './engine/package-manager.js';
import { CONFLICT_CHOICES, type ConflictChoice } from './commands/conflict-choices.js';
import type { PatternFlag } from './patterns/flags.js';
import { choiceKey } from './patterns/option-kinds.js';
import { PATTERN_IDS, type PatternId } from './patterns/types.js';
import { GENERATOR } from './version.js';

// Only commander and small modules load at start-up: `--help` and `--version` stay fast. The pattern options'
// flags come from a table the build writes; everything else (the pattern registry, prompts, Handlebars, memfs,
// execa, ora) is imported by the command that needs it.

const EXAMPLES = `
Examples:
  $ npx create-serverless-app my-app
      ask for everything interactively
  $ npx create-serverless-app my-app --pattern http-api,scheduled-tasks --yes --no-install
      pipeline: no prompts, defaults for every option not given
  $ npx create-serverless-app my-app --pattern http-api --dry-run
      list the files that would be written, write nothing
  $ npx create-serverless-app my-app --answers answers.yaml --json --no-install
      pipeline or agent: every answer from a file (JSON or YAML), machine-readable result on stdout
  $ npx create-serverless-app copy --answers my-app/.create-serverless-app.json --yes
      re-create an app exactly from the answers its manifest recorded
  $ npx create-serverless-app list --json
      the patterns, their matrix rows and options
  $ npx create-serverless-app add event-processing
      inside a generated project: add a pattern (see add --help)
  $ npx create-serverless-app doctor
      inside a generated app: check what commonly breaks local runs and deploys

Without a terminal, in a dumb one (TERM=dumb) or with CI=true, nothing is ever prompted: a missing value
fails at once naming every missing flag.

Exit codes: 0 ok, 1 unexpected error, 2 invalid or missing input, 3 conflict with existing files,
4 file system error, 5 project written but a post-step (git, install) failed, 6 doctor found problems,
130 interrupted or cancelled.`;

const ADD_EXAMPLES = `
Examples:
  $ npx create-serverless-app add event-processing
      ask for the pattern's options, show the plan and the diff, then ask before writing
  $ npx create-serverless-app add scheduled-tasks,data-processing --dry-run
      show what would change, write nothing
  $ npx create-serverless-app add event-processing --yes --conflict new
      pipeline: defaults, and the new version of any file you edited is written beside it as <file>.new
  $ npx create-serverless-app add scheduled-tasks --json --no-install
      pipeline: the result (added patterns, each file's outcome) as JSON on stdout

Files you never edited are updated; JSON files you edited (host.json, package.json, local.settings*.json…)
get the new settings merged in with your comments kept; other files you edited are merged line by line.
Where your edit and the new version touch the same part, that file is a conflict: keep yours or take theirs
for the parts in conflict (values in JSON, lines elsewhere; the other changes of both sides stay), or write
theirs beside it as <file>.new (the file still takes the changes that do not conflict).

Exit codes: 0 ok (also: pattern already present), 2 invalid input or not in a generated project,
3 unresolved conflicts (nothing written), 4 file system error, 5 install failed, 130 cancelled or interrupted.`;

/** A pattern flag as commander parses it: the attribute its value lands in. */
interface BoundPatternFlag {
  pattern: PatternId;
  key: string;
  attribute: string;
}

/** `run` executes a command's action; an action may return its exit code (e.g. doctor's 6). */
export function buildProgram(run: (action: () => Promise<number | void>) => Promise<void>): Command {
  const patternFlags = readPatternFlags();
  const program = new Command('create-serverless-app')
    .description('Create a ready-to-deploy Azure Functions app (Node.js v4 model, TypeScript, Bicep, azd) from serverless patterns.')
    .version(GENERATOR.version, '-v, --version')
    .argument('[directory]', "folder to create (default: the project name); its name is the project name unless --name or an answers file's name gives one")
    .addOption(onceFlag(new Option('-p, --pattern <ids>', `comma-separated patterns: ${PATTERN_IDS.join(', ')}`)))
    .addOption(onceFlag(new Option('-n, --name <name>', 'project name (npm package name; lowercase letters, digits, hyphens)')))
    .addOption(onceFlag(new Option('-l, --location <region>', `Azure region with Flex Consumption (default: ${DEFAULT_LOCATION})`)))
    .option('-y, --yes', 'accept defaults for everything not given; never prompt', false)
    .addOption(onceFlag(new Option('-a, --answers <file>', 'take answers from a JSON or YAML file (or a generated app\'s .create-serverless-app.json); flags win')))
    .option('--json', 'machine-readable result (or error) on stdout; logs go to stderr; never prompts', false)
    .option('--dry-run', 'print the files that would be written and write nothing', false)
    .addOption(choiceFlag('--package-manager <pm>', 'package manager for install and next steps (default: the one that launched this)', PACKAGE_MANAGERS))
    .option('--no-install', 'do not install dependencies')
    .option('--no-git', 'do not initialise a git repository')
    .addOption(debugFlag())
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    // Options after a subcommand name belong to it (`list --json`, `add --yes`).
    .enablePositionalOptions()
    .exitOverride();
  // Commander's own usage errors are reported by main() like ours: one ✖ line, or JSON with --json. Set before
  // the subcommands are added: each copies its parent's output settings when it is created.
  program.configureOutput({ outputError: () => undefined });

  const createFlags = addPatternFlags(program, patternFlags);

  program
    .command('list')
    .description('list the patterns with their matrix rows and options')
    .option('--json', 'machine-readable output', false)
    .addOption(debugFlag())
    .action((flags: { json: boolean }, list: Command) =>
      run(async () => {
        refuseOptionsBefore(list);
        const { runListCommand } = await import('./commands/list.js');
        await runListCommand(flags);
      }),
    );

  // A subcommand is matched before the default action: `create-serverless-app ./doctor` creates a folder named doctor.
  program
    .command('doctor')
    .description('check the project in the current (or given) directory for what commonly breaks local runs and deploys')
    .argument('[directory]', 'the project directory or any folder inside it (default: the current directory)')
    .option('--json', 'print the report as JSON on stdout', false)
    .addOption(debugFlag())
    .addHelpText('after', '\nExit codes: 0 no errors (warnings allowed), 2 not a folder, or not a Functions project, 6 at least one error.')
    .action((directory: string | undefined, flags: { json: boolean }, doctor: Command) =>
      run(async () => {
        refuseOptionsBefore(doctor);
        const { runDoctorCommand } = await import('./commands/doctor.js');
        return runDoctorCommand({ directory, json: flags.json });
      }),
    );

  program.action((directory: string | undefined, flags: Record<string, unknown>) =>
    run(async () => {
      const { runCreateCommand } = await import('./commands/create-command.js');
      await runCreateCommand({
        directory,
        name: flags.name as string | undefined,
        pattern: flags.pattern as string | undefined,
        location: flags.location as string | undefined,
        patternOptions: patternOptionsFrom(flags, createFlags),
        yes: flags.yes as boolean,
        answersPath: flags.answers as string | undefined,
        json: flags.json as boolean,
        dryRun: flags.dryRun as boolean,
        git: flags.git as boolean,
        install: flags.install as boolean,
        packageManager: flags.packageManager as PackageManager | undefined,
      });
    }),
  );

  // `help` and `help add` print help, as in most CLIs. Commander adds no help command to a program with an action of
  // its own, so `help` was a project folder's name (`./help` still is one); its own prints all help for a typo.
  program
    .command('help')
    .description('display help for command')
    .argument('[command]', 'the command to describe')
    .addOption(debugFlag())
    .action((name: string | undefined) =>
      run(async () => {
        const command = name === undefined ? program : program.commands.find((candidate) => candidate.name() === name);
        if (command === undefined) throw new UserError(`help: no command "${name}"; commands: ${program.commands.map((candidate) => candidate.name()).join(', ')}`, ExitCode.Usage);
        command.outputHelp();
      }),
    );

  const add = program
    .command('add')
    .description('add patterns to the project in this folder: shows a plan and a diff, merges shared files, keeps your edits')
    .argument('[patterns...]', `patterns to add: ${PATTERN_IDS.join(', ')} (several, or comma-separated)`)
    .option('-y, --yes', 'apply without asking; defaults for every option not given', false)
    .option('--dry-run', 'show the plan and the diff of every changed file, write nothing', false)
    .option('--answers <file>', 'JSON or YAML file of pattern options: { "<pattern>": { "<option>": value } }, or a generated app\'s .create-serverless-app.json')
    .addOption(choiceFlag('--conflict <choice>', 'for files you edited that the new version changes too: keep yours, take theirs, or write <file>.new beside it', CONFLICT_CHOICES))
    .option('--dir <path>', 'the project folder (default: the one containing the working directory)')
    .addOption(choiceFlag('--package-manager <pm>', 'package manager for install (default: the one whose lockfile the project has, else the one package.json declares for corepack, else the one it was made for)', PACKAGE_MANAGERS))
    .option('--no-install', 'do not install dependencies after package.json changed')
    .option('--json', 'machine-readable result (or error) on stdout; the plan and logs go to stderr; never prompts', false)
    .addOption(debugFlag())
    .addHelpText('after', ADD_EXAMPLES);
  const addFlags = addPatternFlags(add, patternFlags);
  add.action((patterns: string[], flags: Record<string, unknown>) =>
    run(async () => {
      refuseOptionsBefore(add);
      const { runAddCommand } = await import('./commands/add-command.js');
      await runAddCommand({
        patterns,
        patternOptions: patternOptionsFrom(flags, addFlags),
        answersFile: flags.answers as string | undefined,
        dir: flags.dir as string | undefined,
        yes: flags.yes as boolean,
        dryRun: flags.dryRun as boolean,
        install: flags.install as boolean,
        conflict: flags.conflict as ConflictChoice | undefined,
        packageManager: flags.packageManager as PackageManager | undefined,
        json: flags.json as boolean,
      });
    }),
  );
  return program;
}

/**
 * On every command: the advice for an unexpected error, whichever command met it, is to run it again with --debug
 * (main reads the flag itself, before commander parses).
 */
function debugFlag(): Option {
  return new Option('--debug', 'print stack traces for unexpected errors').default(false);
}

/**
 * A flag that takes one value. Commander keeps the last of repeated values, so `--pattern a --pattern b` would
 * silently drop a: a repeat is refused instead.
 */
function onceFlag(option: Option, parse: (value: string) => string = (value) => value): Option {
  return option.argParser((value: string, previous: unknown) => {
    if (previous !== undefined) throw new InvalidArgumentError(`${option.long} is given twice ("${previous}", then "${value}"); give it once.`);
    return parse(value);
  });
}

/**
 * Options written before a command's name are the create command's (positional options): `--dry-run add x` would
 * run add for real, without its dry run, and `--json list` print text. They are refused, naming where they go.
 * `--debug` works anywhere: main() reads it from the whole command line.
 */
function refuseOptionsBefore(command: Command): void {
  const program = command.parent!;
  const given = program.options.filter((option) => option.long !== '--debug' && program.getOptionValueSource(option.attributeName()) === 'cli');
  if (given.length === 0) return;
  const flags = given.map((option) => option.long!);
  const name = command.name();
  const unknown = flags.filter((flag) => !command.options.some((option) => option.long === flag));
  const one = flags.length === 1;
  const where = `${flags.join(', ')} ${one ? 'comes' : 'come'} before "${name}", where ${one ? 'it is an option' : 'they are options'} of creating an app`;
  throw new UserError(
    unknown.length > 0
      ? `${where}; ${name} has no ${unknown.join(', ')}`
      : `${where}: write ${one ? 'it' : 'them'} after it (${program.name()} ${name} […] ${flags.join(' ')})`,
    ExitCode.Usage,
  );
}

/** A flag with fixed choices, compared like every other choice: `--conflict KEEP` is keep. */
function choiceFlag(flags: string, description: string, choices: readonly string[]): Option {
  // choices() first: it sets a parser of its own, which is replaced by this case-insensitive one.
  return onceFlag(new Option(flags, description).choices(choices), (value) => {
    if (!choices.includes(choiceKey(value))) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
    return choiceKey(value);
  });
}

/** Every pattern option becomes a flag, on `create` and on `add` alike (the same parser validates both). */
function addPatternFlags(command: Command, patternFlags: readonly PatternFlag[]): BoundPatternFlag[] {
  return patternFlags.map(({ pattern, key, flag, description }) => {
    const option = onceFlag(new Option(flag, description));
    command.addOption(option);
    return { pattern, key, attribute: option.attributeName() };
  });
}

/** Every pattern option's flag, from the table the build writes next to the bundle (scripts/pack-pattern-flags.mjs). */
function readPatternFlags(): PatternFlag[] {
  return JSON.parse(readFileSync(new URL('./pattern-flags.json', import.meta.url), 'utf8')) as PatternFlag[];
}

function patternOptionsFrom(flags: Record<string, unknown>, patternFlags: readonly BoundPatternFlag[]): Partial<Record<PatternId, Record<string, string>>> {
  const patternOptions: Partial<Record<PatternId, Record<string, string>>> = {};
  for (const flag of patternFlags) {
    const value = flags[flag.attribute];
    if (value !== undefined) (patternOptions[flag.pattern] ??= {})[flag.key] = value as string;
  }
  return patternOptions;
}

/** Runs the CLI and returns the exit code; user errors print one line, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  // NO_COLOR (no-color.org) turns colour off; inquirer honours it, chalk and ora only FORCE_COLOR. Set before either
  // loads, so summary, spinners and next steps are as plain as the prompts. An explicit FORCE_COLOR still wins.
  if (process.env.NO_COLOR && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = '0';
  const debug = argv.includes('--debug') || Boolean(process.env.DEBUG);
  const json = argv.includes('--json');
  let exitCode: number = ExitCode.Ok;
  const run = async (action: () => Promise<number | void>) => {
    try {
      exitCode = (await action()) ?? ExitCode.Ok;
    } catch (error) {
      exitCode = report(error, { debug, json });
    }
  };
  const program = buildProgram(run);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.Ok;
      if (error.code === 'commander.excessArguments') return report(tooManyArguments(program), { debug, json });
      // Commander adds its suggestion on a line of its own ("(Did you mean --job?)"): a detail, as in our errors.
      const [message, ...details] = error.message.replace(/^error: /, '').split('\n');
      return report(new UserError(message!, ExitCode.Usage, details), { debug, json });
    }
    return report(error, { debug, json });
  }
  return exitCode;
}

/**
 * Commander said how many arguments came, not which, nor why: most often a flag whose value was left out took the
 * next flag as its value (`--auth --pattern http-api`), leaving that flag's value as an argument.
 */
function tooManyArguments(program: Command): UserError {
  // The command that failed: a subcommand holds its arguments only when it ran.
  const command = program.commands.find((sub) => sub.args.length > sub.registeredArguments.length) ?? program;
  const given = command.args.map((arg) => `"${arg}"`).join(', ');
  const [only] = command.registeredArguments;
  const takes =
    command.registeredArguments.length === 0 ? 'it takes none' : `[${only!.name()}] is the only one${command === program ? ' (quote a folder name with spaces)' : ''}`;
  const flagsAsValues = command.options
    .filter((option) => command.getOptionValueSource(option.attributeName()) === 'cli')
    .flatMap((option) => {
      const value = command.getOptionValue(option.attributeName());
      return typeof value === 'string' && value.startsWith('-') ? [`${option.long} took "${value}" as its value: was its value left out?`] : [];
    });
  const forCommand = command === program ? '' : ` for '${command.name()}'`;
  return new UserError(`too many arguments${forCommand}: ${given}; ${takes}`, ExitCode.Usage, flagsAsValues);
}

function report(thrown: unknown, output: { debug: boolean; json: boolean }): number {
  const error = cwdGone(thrown)
    ? new UserError('the current folder no longer exists (deleted or moved away): cd into an existing folder and run it again', ExitCode.FileSystem)
    : thrown;
  const known = error instanceof UserError || error instanceof ValidationError;
  const code = error instanceof UserError ? error.exitCode : known ? ExitCode.Usage : ExitCode.Unexpected;
  const message = printable(error instanceof Error ? error.message : String(error));
  const details = (error instanceof UserError || error instanceof ValidationError ? error.details : []).map(printable);
  if (output.json) {
    const partialResult = error instanceof UserError ? error.partialResult : undefined;
    process.stdout.write(`${JSON.stringify({ ok: false, ...partialResult, error: { code, message: known ? message : `unexpected error: ${message}`, details } }, null, 2)}\n`);
  }
  if (known) {
    process.stderr.write(`✖ ${message}\n${shortList(details).map((line) => `  ${line}\n`).join('')}`);
    return code;
  }
  process.stderr.write(`✖ unexpected error: ${message}\n`);
  if (output.debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('  run again with --debug for details, and please report it\n');
  return code;
}

/**
 * A line of an error as a terminal can show it: a value from an answers file may hold a newline, which split the
 * value's line in two, or an escape code, which recoloured the terminal. Control characters (not tabs) are shown
 * escaped, as JSON writes them, in the --json document too, which reports the same lines.
 */
function printable(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (character) => {
    const code = character.charCodeAt(0);
    return code < 0x20 ? JSON.stringify(character).slice(1, -1) : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Whether the shell's folder was deleted under it: Node cannot resolve any path then, and that is no bug of ours. */
function cwdGone(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  return code === 'ENOENT' && syscall === 'uv_cwd';
}

/** Entries a terminal is shown of an error's list; the --json document carries them all. */
const SHOWN_ENTRIES = 20;

/** The first entries of a long list, and how many more there are. An entry is a line and the indented lines under it. */
function shortList(details: readonly string[]): readonly string[] {
  const entryStarts = details.flatMap((line, index) => (line.startsWith(' ') ? [] : [index]));
  if (entryStarts.length <= SHOWN_ENTRIES) return details;
  return [...details.slice(0, entryStarts[SHOWN_ENTRIES]), `… and ${entryStarts.length - SHOWN_ENTRIES} more`];
}
