import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import subscribeEventGridEvents from '../../infra/hooks/postdeploy.d/eventgrid-subscription.mjs';
import { READY_CHECK_INTERVAL_MS, READY_CHECKS } from '../../infra/hooks/step-helpers.mjs';

const ENV = {
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
  AZURE_RESOURCE_GROUP: 'rg-shop',
  AZURE_FUNCTION_APP_NAME: 'func-shop',
  AZURE_STORAGE_ACCOUNT_NAME: 'stshop',
};
const SCOPE = ['--subscription', ENV.AZURE_SUBSCRIPTION_ID, '--resource-group', 'rg-shop'];
const TEMPLATE = fileURLToPath(new URL('../../infra/hooks/eventgrid-subscription.bicep', import.meta.url));
const FUNCTION_CHECK = ['functionapp', 'function', 'show', ...SCOPE, '--name', 'func-shop', '--function-name', 'eventGridEvents', '--query', 'id', '--output', 'tsv'];
const LOOKUPS = [
  ['resource', 'list', ...SCOPE, '--resource-type', 'Microsoft.EventGrid/topics', '--query', '[0].name', '--output', 'tsv'],
  ['resource', 'list', ...SCOPE, '--resource-type', 'Microsoft.ManagedIdentity/userAssignedIdentities', '--query', '[0].name', '--output', 'tsv'],
];
const DEPLOYMENT = [
  'deployment', 'group', 'create', ...SCOPE,
  '--name', 'eventgrid-subscription',
  '--template-file', TEMPLATE,
  '--parameters', 'topicName=evgt-shop', 'functionAppName=func-shop', 'storageAccountName=stshop', 'identityName=id-shop',
  '--output', 'none',
];

/**
 * The step's dependencies with a fake Azure CLI: the resource group holds one topic and one identity, and the app
 * lists the function from check `functionFromCheck` on (before that, `az` fails, as it does for a function not
 * found); a clock that only records sleeps.
 */
function fakes({ env = ENV, functionFromCheck = 1 }: { env?: NodeJS.ProcessEnv; functionFromCheck?: number } = {}) {
  const calls: string[][] = [];
  const logs: string[] = [];
  const sleeps: number[] = [];
  let checks = 0;
  const az = (args: string[]) => {
    calls.push(args);
    if (args[0] === 'functionapp') {
      if (++checks < functionFromCheck) throw new Error('ERROR: (ResourceNotFound) Error retrieving function.');
      return '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers/Microsoft.Web/sites/func-shop/functions/eventGridEvents';
    }
    if (args[0] !== 'resource') return '';
    return args.includes('Microsoft.EventGrid/topics') ? 'evgt-shop' : 'id-shop';
  };
  return { calls, logs, sleeps, az, env, log: (message: string) => logs.push(message), sleep: async (ms: number) => void sleeps.push(ms) };
}

describe('postdeploy step: eventgrid-subscription', () => {
  it('looks up the topic and the identity, then deploys the subscription template next to the step', async () => {
    const dependencies = fakes();
    await subscribeEventGridEvents(dependencies);
    expect(dependencies.calls).toEqual([FUNCTION_CHECK, ...LOOKUPS, DEPLOYMENT]);
    expect(dependencies.sleeps).toEqual([]);
    expect(dependencies.logs).toEqual(['Event Grid topic evgt-shop delivers to func-shop/eventGridEvents']);
  });

  it('waits until the deployed app lists the function, which Event Grid checks when the subscription is created', async () => {
    const dependencies = fakes({ functionFromCheck: 3 });
    await subscribeEventGridEvents(dependencies);
    expect(dependencies.calls).toEqual([FUNCTION_CHECK, FUNCTION_CHECK, FUNCTION_CHECK, ...LOOKUPS, DEPLOYMENT]);
    expect(dependencies.sleeps).toEqual([READY_CHECK_INTERVAL_MS, READY_CHECK_INTERVAL_MS]);
    expect(dependencies.logs.slice(0, 2)).toEqual(['Waiting for func-shop/eventGridEvents (attempt 1 of 12)', 'Waiting for func-shop/eventGridEvents (attempt 2 of 12)']);
  });

  it('gives up after 12 checks with what to look at, and deploys nothing', async () => {
    const dependencies = fakes({ functionFromCheck: Number.POSITIVE_INFINITY });
    await expect(subscribeEventGridEvents(dependencies)).rejects.toThrow(
      "func-shop lists no eventGridEvents function: check that the code is deployed and the host started, then run 'azd hooks run postdeploy'.",
    );
    expect(dependencies.calls).toEqual(Array.from({ length: READY_CHECKS }, () => FUNCTION_CHECK));
  });

  it.each(['AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_STORAGE_ACCOUNT_NAME'])('refuses to run without %s', async (name) => {
    const dependencies = fakes({ env: { ...ENV, [name]: '' } });
    await expect(subscribeEventGridEvents(dependencies)).rejects.toThrow(`${name}: run through azd: azd up or azd deploy`);
    expect(dependencies.calls).toEqual([]);
  });
});
