export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/**
 * The package manager that launched us (`npx`, `pnpm dlx`, `yarn create`, `bunx`), read from the
 * user agent each of them sets, e.g. "pnpm/9.12.0 npm/? node/v22.11.0 linux x64".
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

/** The commands shown in "next steps" and run by the install step. */
export function packageManagerCommands(pm: PackageManager): { install: string[]; run: (script: string) => string } {
  return {
    install: [pm, 'install'],
    // Always `run`: `bun test` and `bun start` are Bun's own commands, not the project's scripts.
    run: (script) => `${pm} run ${script}`,
  };
}
