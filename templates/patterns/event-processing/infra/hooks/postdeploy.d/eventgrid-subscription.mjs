// Subscribes the eventGridEvents function to the app's Event Grid topic. This cannot be part of `azd provision`:
// Event Grid checks that the destination function exists when the subscription is created, and the function
// exists only once the code is deployed. Re-running is safe (the deployment is idempotent).
import { fileURLToPath } from 'node:url';
import { deploymentTarget, resourceName } from '../step-helpers.mjs';

const TEMPLATE = fileURLToPath(new URL('../eventgrid-subscription.bicep', import.meta.url));

/** @param {import('../postdeploy.mjs').StepDependencies} dependencies */
export default function subscribeEventGridEvents({ az, env, log }) {
  const { scope, app, storageAccount } = deploymentTarget(env);

  const topic = resourceName(az, scope, 'Microsoft.EventGrid/topics');
  const identity = resourceName(az, scope, 'Microsoft.ManagedIdentity/userAssignedIdentities');
  az([
    'deployment', 'group', 'create', ...scope,
    '--name', 'eventgrid-subscription',
    '--template-file', TEMPLATE,
    '--parameters', `topicName=${topic}`, `functionAppName=${app}`, `storageAccountName=${storageAccount}`, `identityName=${identity}`,
    '--output', 'none',
  ]);
  log(`Event Grid topic ${topic} delivers to ${app}/eventGridEvents`);
}
