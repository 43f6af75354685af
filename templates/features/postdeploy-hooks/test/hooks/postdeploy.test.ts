import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AzureCliNotFoundError, windowsAzCommandLine } from '../../infra/hooks/azure-cli.mjs';
import { runPostdeploy, STEPS_DIRECTORY } from '../../infra/hooks/postdeploy.mjs';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const LOGIN_CHECK = ['account', 'show', '--subscription', SUBSCRIPTION, '--output', 'none'];

/** The runner's dependencies with a fake Azure CLI that records its calls, and an empty steps folder. */
function fakes(answer: (args: string[]) => string = () => '') {
  const calls: string[][] = [];
  const logs: string[] = [];
  return {
    calls,
    logs,
    az: (args: string[]) => {
      calls.push(args);
      return answer(args);
    },
    env: { AZURE_SUBSCRIPTION_ID: SUBSCRIPTION },
    log: (message: string) => logs.push(message),
    sleep: async () => {},
    stepsDirectory: stepsFolder([]),
  };
}

/** A steps folder whose steps say through the Azure CLI that they ran; removed when the test ends. */
function stepsFolder(names: string[]) {
  const folder = mkdtempSync(join(tmpdir(), 'postdeploy-steps-'));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  for (const name of names) writeFileSync(join(folder, name), `export default ({ az }) => { az(['ran', ${JSON.stringify(name)}]); };\n`);
  return folder;
}

describe('runPostdeploy', () => {
  it('refuses to run outside azd, before calling the Azure CLI', async () => {
    const dependencies = { ...fakes(), env: {} };
    await expect(runPostdeploy(dependencies)).rejects.toThrow('AZURE_SUBSCRIPTION_ID: run through azd: azd up or azd deploy');
    expect(dependencies.calls).toEqual([]);
  });

  it('stops before any step when the Azure CLI cannot use the subscription, and says how to log in', async () => {
    const dependencies = fakes((args) => {
      if (args[0] === 'account') throw new Error('Please run az login');
      return '';
    });
    dependencies.stepsDirectory = stepsFolder(['eventgrid.mjs']);
    await expect(runPostdeploy(dependencies)).rejects.toThrow(
      `postdeploy: the Azure CLI cannot use subscription ${SUBSCRIPTION}. Run 'az login' (azd and az keep separate logins), then 'azd hooks run postdeploy'.`,
    );
    expect(dependencies.calls).toEqual([LOGIN_CHECK]);
  });

  it('says the Azure CLI is missing rather than asking to log in with it', async () => {
    const dependencies = fakes(() => {
      throw new AzureCliNotFoundError();
    });
    await expect(runPostdeploy(dependencies)).rejects.toThrow('postdeploy: the Azure CLI (az) is not installed or not on PATH');
  });

  it('checks the login once, then runs the .mjs steps in name order', async () => {
    const dependencies = { ...fakes(), stepsDirectory: stepsFolder(['20-second.mjs', 'README.md', '10-first.mjs']) };
    await runPostdeploy(dependencies);
    expect(dependencies.calls).toEqual([LOGIN_CHECK, ['ran', '10-first.mjs'], ['ran', '20-second.mjs']]);
    expect(dependencies.logs).toEqual(['postdeploy: 10-first.mjs', 'postdeploy: 20-second.mjs']);
  });

  it('finds a step function in every module of infra/hooks/postdeploy.d', async () => {
    const steps = readdirSync(STEPS_DIRECTORY).filter((name) => name.endsWith('.mjs'));
    expect(steps).not.toEqual([]);
    for (const name of steps) {
      const step = (await import(pathToFileURL(join(STEPS_DIRECTORY, name)).href)) as { default: unknown };
      expect(step.default, name).toBeTypeOf('function');
    }
  });
});

describe('windowsAzCommandLine (cmd.exe runs az.cmd)', () => {
  it('quotes every argument, so spaces and & | < > ^ ( ) stay text', () => {
    expect(windowsAzCommandLine(['resource', 'list', '--query', '[0].name', '--resource-group', 'rg (a&b) <c|d> ^e'])).toBe(
      'az "resource" "list" "--query" "[0].name" "--resource-group" "rg (a&b) <c|d> ^e"',
    );
  });

  it('doubles trailing backslashes, which would otherwise escape the closing quote', () => {
    expect(windowsAzCommandLine(['C:\\My Templates\\', 'C:\\a\\b.bicep'])).toBe('az "C:\\My Templates\\\\" "C:\\a\\b.bicep"');
  });

  it('refuses what cmd cannot quote: double quotes, percent signs and line breaks', () => {
    for (const arg of ['say "hi"', 'C:\\100%\\main.bicep', 'two\nlines', 'two\r\nlines']) {
      expect(() => windowsAzCommandLine(['deployment', arg]), arg).toThrow('cmd.exe cannot pass');
    }
  });
});
