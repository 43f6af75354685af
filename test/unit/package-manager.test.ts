import { describe, expect, it } from 'vitest';
import { corepackPackageManager, detectPackageManager, packageManagerCommands } from '../../src/engine/package-manager.js';

describe('detectPackageManager', () => {
  // The user agents each launcher sets in npm_config_user_agent.
  it.each([
    ['npm/11.6.2 node/v22.11.0 linux x64 workspaces/false', 'npm'],
    ['pnpm/9.12.3 npm/? node/v22.11.0 linux x64', 'pnpm'],
    ['yarn/4.5.1 npm/? node/v22.11.0 linux x64', 'yarn'],
    ['yarn/1.22.22 npm/? node/v20.18.0 darwin arm64', 'yarn'],
    ['bun/1.1.34 npm/? node/v22.6.0 linux x64', 'bun'],
    [undefined, 'npm'],
    ['', 'npm'],
    ['deno/2.0.0', 'npm'],
  ])('%s → %s', (userAgent, expected) => {
    expect(detectPackageManager(userAgent)).toBe(expected);
  });

  it('spells install and script commands the way each manager does', () => {
    // `test` and `start` by npm's, pnpm's and yarn's short form, the others with `run`.
    expect(packageManagerCommands('npm').run('start')).toBe('npm start');
    expect(packageManagerCommands('pnpm').run('test')).toBe('pnpm test');
    expect(packageManagerCommands('yarn').run('start')).toBe('yarn start');
    expect(packageManagerCommands('npm').run('build')).toBe('npm run build');
    expect(packageManagerCommands('pnpm').run('test:slow')).toBe('pnpm run test:slow');
    // `bun test` would run Bun's own test runner instead of the project's vitest script.
    expect(packageManagerCommands('bun').run('test')).toBe('bun run test');
    expect(packageManagerCommands('bun').install).toEqual(['bun', 'install']);
  });
});

describe('corepackPackageManager', () => {
  // package.json's "packageManager", as corepack reads it: <name>@<version>, with an optional +<hash>.
  it.each([
    ['{ "packageManager": "pnpm@10.26.0" }', 'pnpm'],
    ['{ "packageManager": "yarn@4.5.1+sha512.0123abcd" }', 'yarn'],
    ['{ "packageManager": "npm@11.6.2" }', 'npm'],
    ['\uFEFF{ "packageManager": "bun@1.2.0" }', 'bun'],
    ['{ "packageManager": "deno@2.0.0" }', undefined],
    ['{ "packageManager": "pnpm" }', undefined],
    ['{ "packageManager": "@pnpm" }', undefined],
    ['{ "packageManager": "" }', undefined],
    ['{ "packageManager": 42 }', undefined],
    ['{ "packageManager": ["pnpm@10.0.0"] }', undefined],
    ['{ "packageManager": null }', undefined],
    ['{ "name": "orders" }', undefined],
    ['[]', undefined],
    ['null', undefined],
    ['{ not json', undefined],
    [undefined, undefined],
  ])('%s → %s', (packageJson, expected) => {
    expect(corepackPackageManager(packageJson)).toBe(expected);
  });
});
