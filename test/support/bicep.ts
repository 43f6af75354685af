import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The Bicep CLI: BICEP_PATH, then the one `npm run tools:bicep` installs, then `bicep` on PATH. */
export function findBicep(): string | undefined {
  const candidates = [process.env.BICEP_PATH, join(repoRoot, '.tools/bin/bicep')].filter((c): c is string => Boolean(c));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  return spawnSync('bicep', ['--version']).status === 0 ? 'bicep' : undefined;
}

export const bicepPath = findBicep();

/** Why Bicep tests skip; under CI a missing compiler is an error, since .ci/run installs it. */
export const bicepMissing = bicepPath
  ? undefined
  : 'Bicep CLI not found: run `npm run tools:bicep` (needs the .NET SDK) or set BICEP_PATH; Bicep tests are skipped';

if (bicepMissing) {
  if (process.env.CI) throw new Error(`${bicepMissing} — CI must not skip them`);
  console.warn(`⚠ ${bicepMissing}`);
}

export interface BicepResult {
  status: number;
  /** Diagnostics (warnings and errors) printed by the compiler. */
  diagnostics: string[];
  stdout: string;
}

/** Runs `bicep <command> <file>`; every diagnostic line counts, warnings included. */
export function runBicep(command: 'build' | 'lint', file: string, extra: string[] = []): BicepResult {
  const result = spawnSync(bicepPath!, [command, file, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const diagnostics = `${result.stderr}\n${command === 'lint' ? result.stdout : ''}`
    .split('\n')
    .filter((line) => /: (Warning|Error|Info) /.test(line));
  return { status: result.status ?? -1, diagnostics, stdout: result.stdout };
}

/** Compiles to ARM JSON and returns it parsed; throws with the diagnostics if anything was reported. */
export function compileBicep(file: string): Record<string, unknown> {
  const result = runBicep('build', file, ['--stdout']);
  if (result.status !== 0 || result.diagnostics.length > 0) {
    throw new Error(`bicep build ${file} failed:\n${result.diagnostics.join('\n')}`);
  }
  return JSON.parse(result.stdout) as Record<string, unknown>;
}


/**
 * Compiles every file matching a glob in one compiler process: `x.json` next to each `x.bicep` (`build`)
 * or each `x.bicepparam` (`build-params`). Asynchronous, so a long compile does not block the test
 * worker's event loop (vitest reports blocked workers as RPC timeouts).
 */
export function buildBicepPattern(glob: string, command: 'build' | 'build-params' = 'build'): Promise<BicepResult> {
  return new Promise((resolvePromise) => {
    execFile(
      bicepPath!,
      [command, '--pattern', glob],
      { encoding: 'utf8', env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const diagnostics = stderr.split('\n').filter((line) => /: (Warning|Error|Info) /.test(line));
        const status = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolvePromise({ status, diagnostics, stdout });
      },
    );
  });
}
