import { withoutBom } from './byte-order-mark.js';

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export function isPackageManager(value: unknown): value is PackageManager {
  return (PACKAGE_MANAGERS as readonly unknown[]).includes(value);
}

/**
 * Each package manager's lockfiles, in the order the generated workflow's install step looks for them (npm's last,
 * npm-shrinkwrap.json first of those, as npm prefers it): the first one a project has says which it installs with.
 */
export const LOCKFILES: readonly { file: string; packageManager: PackageManager }[] = [
  { file: 'pnpm-lock.yaml', packageManager: 'pnpm' },
  { file: 'yarn.lock', packageManager: 'yarn' },
  { file: 'bun.lock', packageManager: 'bun' },
  { file: 'bun.lockb', packageManager: 'bun' },
  { file: 'npm-shrinkwrap.json', packageManager: 'npm' },
  { file: 'package-lock.json', packageManager: 'npm' },
];

/** The package manager whose lockfile a project has (`exists` answers for a file of it); undefined with none. */
export function lockfilePackageManager(exists: (file: string) => boolean): PackageManager | undefined {
  return LOCKFILES.find(({ file }) => exists(file))?.packageManager;
}

/**
 * The package manager a project's package.json declares for corepack (`"packageManager": "pnpm@10.26.0"`, maybe with
 * a `+sha512.…` hash); undefined without one, for a tool none of ours, or for a value corepack itself would refuse.
 */
export function corepackPackageManager(packageJson: string | undefined): PackageManager | undefined {
  let declared: unknown;
  try {
    declared = (JSON.parse(withoutBom(packageJson ?? '')) as { packageManager?: unknown } | null)?.packageManager;
  } catch {
    return undefined;
  }
  const name = typeof declared === 'string' ? /^([a-z]+)@\d\S*$/.exec(declared)?.[1] : undefined;
  return isPackageManager(name) ? name : undefined;
}

/**
 * The package manager that launched us (`npx`, `pnpm dlx`, `yarn create`, `bunx`), read from the
 * user agent each of them sets, e.g. "pnpm/9.12.0 npm/? node/v22.11.0 linux x64".
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

/** The commands shown in "next steps" and the generated README, and run by the install step. */
export function packageManagerCommands(pm: PackageManager): { install: string[]; run: (script: string) => string } {
  return {
    install: [pm, 'install'],
    // `test` and `start` by the short form npm, pnpm and yarn all have (how the README always spelt them for npm);
    // Bun always with `run`: `bun test` is Bun's own test runner, not the project's script.
    run: (script) => (pm !== 'bun' && (script === 'test' || script === 'start') ? `${pm} ${script}` : `${pm} run ${script}`),
  };
}
