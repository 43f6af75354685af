import { spawnSync } from 'node:child_process';
import { PostdeployError } from './step-helpers.mjs';

/** The Azure CLI is not installed (or not on PATH): no login would help. */
export class AzureCliNotFoundError extends PostdeployError {
  constructor() {
    super('postdeploy: the Azure CLI (az) is not installed or not on PATH: https://aka.ms/installazurecli');
  }
}

// cmd.exe's exit code for a command it cannot find.
const CMD_NOT_FOUND = 9009;

/** @type {import('node:child_process').SpawnSyncOptionsWithStringEncoding} */
const CAPTURE_STDOUT = { encoding: 'utf8', stdio: ['inherit', 'pipe', 'inherit'] };

/**
 * The Azure CLI as the steps call it: `az(args)` returns its standard output without trailing line breaks
 * and throws if it fails. Its own error messages go straight to the terminal.
 * @returns {(args: string[]) => string}
 */
export function azureCli() {
  const windows = process.platform === 'win32';
  return (args) => {
    const result = windows
      ? // /s takes the outer quotes off the command line; /v:off keeps `!` text whatever the registry says.
        spawnSync(process.env.ComSpec ?? 'cmd.exe', ['/d', '/v:off', '/s', '/c', `"${windowsAzCommandLine(args)}"`], { ...CAPTURE_STDOUT, windowsVerbatimArguments: true })
      : spawnSync('az', args, CAPTURE_STDOUT);
    const spawnError = /** @type {NodeJS.ErrnoException | undefined} */ (result.error);
    if (spawnError?.code === 'ENOENT' || (windows && result.status === CMD_NOT_FOUND)) throw new AzureCliNotFoundError();
    if (spawnError) throw spawnError;
    if (result.status !== 0) throw new PostdeployError(`postdeploy: az ${subcommand(args)} failed (${result.signal ?? `exit code ${result.status}`})`);
    return result.stdout.replace(/[\r\n]+$/, '');
  };
}

/**
 * On Windows `az` is az.cmd, a batch file, which Node (since 20.12.2: CVE-2024-27980) starts only through
 * cmd.exe, so the arguments follow cmd's quoting rather than the C runtime's. Each goes in double quotes,
 * inside which cmd reads spaces and & | < > ^ ( ) as text. cmd cannot quote `"`, `%` or a line break: an
 * argument with one is refused rather than passed mangled.
 * @param {string[]} args
 */
export function windowsAzCommandLine(args) {
  const quoted = args.map((arg) => {
    if (/["%\r\n]/.test(arg)) throw new PostdeployError(`postdeploy: cmd.exe cannot pass ${JSON.stringify(arg)} to the Azure CLI: it holds a ", a % or a line break`);
    // az.cmd hands its arguments to Python, which reads backslashes before a quote as escapes: double the trailing ones.
    return `"${arg.replace(/\\+$/, '$&$&')}"`;
  });
  return ['az', ...quoted].join(' ');
}

/** The command words before the first option, e.g. `deployment group create`. @param {string[]} args */
function subcommand(args) {
  const firstOption = args.findIndex((arg) => arg.startsWith('-'));
  return (firstOption === -1 ? args : args.slice(0, firstOption)).join(' ');
}
