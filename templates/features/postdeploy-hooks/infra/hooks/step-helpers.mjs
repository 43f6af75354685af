// What the postdeploy runner and its steps share.

/** A failure whose message tells the user all they need: the runner prints it alone, without a stack trace. */
export class PostdeployError extends Error {}

/**
 * The values of the named variables, refusing a missing or empty one: azd sets them when it runs the hook
 * (it exports the outputs of infra/main.bicep).
 * @template {string} Name
 * @param {NodeJS.ProcessEnv} env
 * @param {Name[]} names
 * @returns {Record<Name, string>}
 */
export function requireVariables(env, names) {
  const values = /** @type {Record<Name, string>} */ ({});
  for (const name of names) {
    const value = env[name];
    if (!value) throw new PostdeployError(`${name}: run through azd: azd up or azd deploy`);
    values[name] = value;
  }
  return values;
}

/**
 * Where every step deploys, from the azd environment: the `--subscription` and `--resource-group` arguments of
 * its az calls, the function app and the storage account.
 * @param {NodeJS.ProcessEnv} env
 */
export function deploymentTarget(env) {
  const variables = requireVariables(env, ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_STORAGE_ACCOUNT_NAME']);
  return {
    scope: ['--subscription', variables.AZURE_SUBSCRIPTION_ID, '--resource-group', variables.AZURE_RESOURCE_GROUP],
    app: variables.AZURE_FUNCTION_APP_NAME,
    storageAccount: variables.AZURE_STORAGE_ACCOUNT_NAME,
  };
}

/**
 * The name of the one resource of a type in the resource group: infra/main.bicep creates exactly one of each
 * type a step looks up.
 * @param {(args: string[]) => string} az
 * @param {string[]} scope `--subscription` and `--resource-group` with their values
 * @param {string} resourceType
 */
export function resourceName(az, scope, resourceType) {
  return az(['resource', 'list', ...scope, '--resource-type', resourceType, '--query', '[0].name', '--output', 'tsv']);
}

/** How often, and how far apart, a step checks for something a deployment starts: two minutes in all. */
export const READY_CHECKS = 12;
export const READY_CHECK_INTERVAL_MS = 10_000;

/**
 * Waits until `isReady()` says yes: what a deployment starts (the host, its functions, their keys) shows in Azure
 * a little after `azd deploy` returns. A check that throws (the host still starting) counts as not yet; after
 * READY_CHECKS checks, fails with `giveUp`.
 * @param {{ what: string, isReady: () => boolean, giveUp: string }} wanted
 * @param {Pick<import('./postdeploy.mjs').StepDependencies, 'log' | 'sleep'>} dependencies
 */
export async function waitUntilReady({ what, isReady, giveUp }, { log, sleep }) {
  for (let check = 1; !succeeds(isReady); check++) {
    if (check >= READY_CHECKS) throw new PostdeployError(giveUp);
    log(`Waiting for ${what} (attempt ${check} of ${READY_CHECKS})`);
    await sleep(READY_CHECK_INTERVAL_MS);
  }
}

/** @param {() => boolean} check */
function succeeds(check) {
  try {
    return check();
  } catch {
    return false;
  }
}
