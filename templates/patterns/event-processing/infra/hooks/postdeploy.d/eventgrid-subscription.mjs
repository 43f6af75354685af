// Subscribes the eventGridEvents function to the app's Event Grid topic. This cannot be part of `azd provision`:
// Event Grid checks that the destination function exists when the subscription is created, and the function
// exists only once the code is deployed. Re-running is safe (the deployment is idempotent).
import { fileURLToPath } from 'node:url';
import { deploymentTarget, resourceName, waitUntilReady } from '../step-helpers.mjs';

const FUNCTION_NAME = 'eventGridEvents';
const TEMPLATE = fileURLToPath(new URL('../eventgrid-subscription.bicep', import.meta.url));

/** @param {import('../postdeploy.mjs').StepDependencies} dependencies */
export default async function subscribeEventGridEvents({ az, env, log, sleep }) {
  const { scope, app, storageAccount } = deploymentTarget(env);

  // The app's functions are listed once the deployed host has indexed them, shortly after `azd deploy` returns.
  await waitUntilReady(
    {
      what: `${app}/${FUNCTION_NAME}`,
      isReady: () => az(['functionapp', 'function', 'show', ...scope, '--name', app, '--function-name', FUNCTION_NAME, '--query', 'id', '--output', 'tsv']) !== '',
      giveUp: `${app} lists no ${FUNCTION_NAME} function: check that the code is deployed and the host started, then run 'azd hooks run postdeploy'.`,
    },
    { log, sleep },
  );

  const topic = resourceName(az, scope, 'Microsoft.EventGrid/topics');
  const identity = resourceName(az, scope, 'Microsoft.ManagedIdentity/userAssignedIdentities');
  az([
    'deployment', 'group', 'create', ...scope,
    '--name', 'eventgrid-subscription',
    '--template-file', TEMPLATE,
    '--parameters', `topicName=${topic}`, `functionAppName=${app}`, `storageAccountName=${storageAccount}`, `identityName=${identity}`,
    '--output', 'none',
  ]);
  log(`Event Grid topic ${topic} delivers to ${app}/${FUNCTION_NAME}`);
}
