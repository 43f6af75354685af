import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import subscribeEventGridEvents from '../../infra/hooks/postdeploy.d/eventgrid-subscription.mjs';

const ENV = {
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
  AZURE_RESOURCE_GROUP: 'rg-shop',
  AZURE_FUNCTION_APP_NAME: 'func-shop',
  AZURE_STORAGE_ACCOUNT_NAME: 'stshop',
};
const SCOPE = ['--subscription', ENV.AZURE_SUBSCRIPTION_ID, '--resource-group', 'rg-shop'];
const TEMPLATE = fileURLToPath(new URL('../../infra/hooks/eventgrid-subscription.bicep', import.meta.url));

/** The step's dependencies with a fake Azure CLI: the resource group holds one topic and one identity. */
function fakes(env: NodeJS.ProcessEnv = ENV) {
  const calls: string[][] = [];
  const logs: string[] = [];
  const az = (args: string[]) => {
    calls.push(args);
    if (args[0] !== 'resource') return '';
    return args.includes('Microsoft.EventGrid/topics') ? 'evgt-shop' : 'id-shop';
  };
  return { calls, logs, az, env, log: (message: string) => logs.push(message), sleep: async () => {} };
}

describe('postdeploy step: eventgrid-subscription', () => {
  it('looks up the topic and the identity, then deploys the subscription template next to the step', () => {
    const dependencies = fakes();
    subscribeEventGridEvents(dependencies);
    expect(dependencies.calls).toEqual([
      ['resource', 'list', ...SCOPE, '--resource-type', 'Microsoft.EventGrid/topics', '--query', '[0].name', '--output', 'tsv'],
      ['resource', 'list', ...SCOPE, '--resource-type', 'Microsoft.ManagedIdentity/userAssignedIdentities', '--query', '[0].name', '--output', 'tsv'],
      [
        'deployment', 'group', 'create', ...SCOPE,
        '--name', 'eventgrid-subscription',
        '--template-file', TEMPLATE,
        '--parameters', 'topicName=evgt-shop', 'functionAppName=func-shop', 'storageAccountName=stshop', 'identityName=id-shop',
        '--output', 'none',
      ],
    ]);
    expect(dependencies.logs).toEqual(['Event Grid topic evgt-shop delivers to func-shop/eventGridEvents']);
  });

  it.each(['AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_STORAGE_ACCOUNT_NAME'])('refuses to run without %s', (name) => {
    const dependencies = fakes({ ...ENV, [name]: '' });
    expect(() => subscribeEventGridEvents(dependencies)).toThrow(`${name}: run through azd: azd up or azd deploy`);
    expect(dependencies.calls).toEqual([]);
  });
});
