// Subscribes the eventGridEvents function to the app's Event Grid topic. This cannot be part of `azd provision`:
// Event Grid checks that the destination function exists when the subscription is created, and the function
// exists only once the code is deployed. Re-running is safe (the deployment is idempotent).
import { fileURLToPath } from 'node:url';
import { requireVariables, resourceName } from '../step-helpers.mjs';

const TEMPLATE = fileURLToPath(new URL('../eventgrid-subscription.bicep', import.meta.url));

/** @param {import('../postdeploy.mjs').StepDependencies} dependencies */
export default function subscribeEventGridEvents({ az, env, log }) {
  const variables = requireVariables(env, ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_STORAGE_ACCOUNT_NAME']);
  const scope = ['--subscription', variables.AZURE_SUBSCRIPTION_ID, '--resource-group', variables.AZURE_RESOURCE_GROUP];
  const app = variables.AZURE_FUNCTION_APP_NAME;

  const topic = resourceName(az, scope, 'Microsoft.EventGrid/topics');
  const identity = resourceName(az, scope, 'Microsoft.ManagedIdentity/userAssignedIdentities');
  az([
    'deployment', 'group', 'create', ...scope,
    '--name', 'eventgrid-subscription',
    '--template-file', TEMPLATE,
    '--parameters', `topicName=${topic}`, `functionAppName=${app}`, `storageAccountName=${variables.AZURE_STORAGE_ACCOUNT_NAME}`, `identityName=${identity}`,
    '--output', 'none',
  ]);
  log(`Event Grid topic ${topic} delivers to ${app}/eventGridEvents`);
}
