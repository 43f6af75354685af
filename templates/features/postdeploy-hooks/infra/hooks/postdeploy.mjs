// azd runs this after `azd deploy` (azure.yaml, hooks.postdeploy): it runs every step in postdeploy.d in name
// order. Each step can rely on the deployed code (e.g. an Event Grid subscription needs the function's
// webhook endpoint to exist). Node.js built-ins only: azd may run it before `npm install`, and Node runs it on
// Windows, macOS and Linux alike.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { azureCli, AzureCliNotFoundError } from './azure-cli.mjs';
import { PostdeployError, requireVariables } from './step-helpers.mjs';

/**
 * What every step gets: the real thing when azd runs the hook, fakes in tests.
 * @typedef {object} StepDependencies
 * @property {(args: string[]) => string} az runs the Azure CLI; returns its output, throws if it fails
 * @property {NodeJS.ProcessEnv} env the azd environment's values
 * @property {(message: string) => void} log
 * @property {(milliseconds: number) => Promise<unknown>} sleep
 */

/**
 * A step: the default export of a module in postdeploy.d.
 * @typedef {(dependencies: StepDependencies) => Promise<void> | void} Step
 */

export const STEPS_DIRECTORY = fileURLToPath(new URL('./postdeploy.d/', import.meta.url));

/** @param {StepDependencies & { stepsDirectory?: string }} options */
export async function runPostdeploy({ stepsDirectory = STEPS_DIRECTORY, ...dependencies }) {
  const { AZURE_SUBSCRIPTION_ID: subscription } = requireVariables(dependencies.env, ['AZURE_SUBSCRIPTION_ID']);

  // The steps call the Azure CLI, which keeps its own login, apart from azd's: check it once, up front, rather
  // than let a step fail half-way with an authorization error.
  try {
    dependencies.az(['account', 'show', '--subscription', subscription, '--output', 'none']);
  } catch (error) {
    if (error instanceof AzureCliNotFoundError) throw error;
    throw new PostdeployError(
      `postdeploy: the Azure CLI cannot use subscription ${subscription}. Run 'az login' (azd and az keep separate logins), then 'azd hooks run postdeploy'.`,
    );
  }

  const steps = readdirSync(stepsDirectory).filter((name) => name.endsWith('.mjs')).sort();
  for (const name of steps) {
    dependencies.log(`postdeploy: ${name}`);
    const step = /** @type {{ default: Step }} */ (await import(pathToFileURL(join(stepsDirectory, name)).href));
    await step.default(dependencies);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runPostdeploy({ az: azureCli(), env: process.env, log: console.log, sleep });
  } catch (error) {
    console.error(error instanceof PostdeployError ? error.message : error);
    process.exitCode = 1;
  }
}
