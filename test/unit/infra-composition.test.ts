import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildPlan } from '../../src/engine/plan.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { declaredResources, duplicateDeclarations } from '../support/arm-resources.js';
import { checkArmTemplate, formatViolations } from '../support/arm-security.js';
import { bicepMissing, compileBicep } from '../support/bicep.js';
import { scratchDir } from '../support/scratch.js';
import { defaultPlan, everyResource, PATTERN_SUBSETS, subsetName } from '../support/subsets.js';

const SERVICE_BUS_DATA_RECEIVER = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0';

describe('settings of the four patterns with every resource-adding option', () => {
  it('leave the managed identity selectors out of local.settings.json, where no managed identity exists', () => {
    const tree = renderPlan(buildPlan({ name: 'composed-app', location: 'eastus2', patterns: everyResource }, '/tmp/composed-app'));
    for (const path of ['local.settings.json', 'local.settings.example.json']) {
      const names = Object.keys((JSON.parse(readTree(tree, path)) as { Values: Record<string, string> }).Values);
      expect(names, path).toContain('EventHubConnection__fullyQualifiedNamespace');
      expect(names.filter((name) => /__(credential|clientId)$/.test(name)), path).toEqual([]);
    }
  });
});

describe('azd hook scripts', () => {
  const plans = [
    ...PATTERN_SUBSETS.map((patterns) => ({ name: subsetName(patterns), plan: defaultPlan(patterns) })),
    { name: 'every resource', plan: buildPlan({ name: 'composed-app', location: 'eastus2', patterns: everyResource }, '/tmp/composed-app') },
  ];

  it.each(plans)('$name: every hook runs a script the app ships, with Node.js on both platforms, and no shell script (Windows has no sh)', ({ plan }) => {
    const tree = renderPlan(plan);
    expect(tree.paths.filter((path) => path.endsWith('.sh'))).toEqual([]);
    const { hooks = {} } = parseYaml(readTree(tree, 'azure.yaml')) as { hooks?: Record<string, Record<string, { shell: string; run: string }>> };
    for (const [name, hook] of Object.entries(hooks)) {
      expect(Object.keys(hook).sort(), name).toEqual(['posix', 'windows']);
      for (const { run } of Object.values(hook)) {
        const script = /^node \.\/(\S+\.mjs)$/.exec(run)?.[1];
        expect(script && tree.paths.includes(script), `${name}: ${run}`).toBe(true);
      }
    }
  });
});

describe.skipIf(bicepMissing)('infra of the four patterns with every resource-adding option', () => {
  let template: Record<string, unknown>;
  beforeAll(() => {
    const dir = scratchDir('infra-composition');
    const tree = renderPlan(buildPlan({ name: 'composed-app', location: 'eastus2', patterns: everyResource }, dir));
    // The whole app, since a module may load files from outside infra/ (loadTextContent of shipped queries).
    for (const path of tree.paths) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), readTree(tree, path));
    }
    template = compileBicep(join(dir, 'infra/main.bicep'));
    // The Bicep CLI starts .NET: slow on a busy machine.
  }, 120_000);

  it('declares each Azure resource in one module only', () => {
    const types = declaredResources(template).map((resource) => resource.type);
    expect(types).toEqual(expect.arrayContaining(['Microsoft.EventHub/namespaces', 'Microsoft.ServiceBus/namespaces', 'Microsoft.DocumentDB/databaseAccounts']));
    expect(duplicateDeclarations(template)).toEqual([]);
  });

  // scheduled-tasks PUT the account's table service (`default`, no properties) while the other patterns created
  // tables under it as `existing`: a redeploy resets what the service holds (CORS rules), racing their tables.
  it("leaves the storage account's services to the storage module: patterns only refer to them", () => {
    const services = declaredResources(template).filter((resource) => /^Microsoft\.Storage\/storageAccounts\/\w+Services$/i.test(resource.type));
    expect(services.map((resource) => resource.declaredAt.split(' › ')[0])).toEqual(services.map(() => 'main/storage'));
  });

  // Functions docs (functions-bindings-service-bus, identity-based connections): for a topic trigger "the role
  // assignment needs to have effective scope over the Service Bus subscription resource. If only the topic is
  // included, an error will occur."
  it("grants the Service Bus topic trigger's Receiver role on the subscription it reads, not on the topic", () => {
    const receivers = declaredResources(template).filter((resource) => resource.roleDefinitionId?.includes(SERVICE_BUS_DATA_RECEIVER));
    expect(receivers.map((resource) => resource.scope)).toEqual([expect.stringMatching(/^resourceId\('Microsoft\.ServiceBus\/namespaces\/topics\/subscriptions', /)]);
  });

  // The custom events scheduled-tasks, event-processing and data-processing send (and their alerts read) need an Entra ID
  // token with this role: Application Insights refuses instrumentation-key-only telemetry. Granted by the base
  // monitoring module, every app has it whichever patterns it has.
  it("grants the app's identity Monitoring Metrics Publisher on Application Insights from the base monitoring module", () => {
    const publishers = declaredResources(template).filter((resource) => resource.roleDefinitionId?.includes('3913510d-42f4-4e42-8a64-420c390055eb'));
    expect(publishers.map(({ declaredAt, scope }) => ({ declaredAt: declaredAt.split(' › ')[0], scope }))).toEqual([
      { declaredAt: 'main/monitoring', scope: expect.stringMatching(/^resourceId\('Microsoft\.Insights\/components', /) },
    ]);
  });

  // Creating a log alert rule runs its query against the workspace, and fails the deployment when a table it reads
  // has no data yet (SEM0100 "Failed to resolve table"): on the first `azd up` nothing has been ingested. The
  // queries are checked offline against the tables' schema instead (alerts.test.ts).
  it('creates every log alert rule without asking the empty workspace to run its query', () => {
    const rules = nodesOfType(template, 'Microsoft.Insights/scheduledQueryRules');
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect((rule.properties as Record<string, unknown>).skipQueryValidation).toBe(true);
  });

  // The modules behind these options (namespaces, Cosmos DB, metric alerts) take parameters the others do
  // not; CI's PSRule fails the whole infra job on one that it reads as a secret.
  it('passes every security rule, in every nested module', () => {
    expect(formatViolations(checkArmTemplate(template))).toBe('');
  });
});

/** Every resource declaration of `type` anywhere in a compiled template, nested module deployments included. */
function nodesOfType(node: unknown, type: string): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap((item) => nodesOfType(item, type));
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  const here = record.type === type && typeof record.properties === 'object' ? [record] : [];
  return [...here, ...Object.values(record).flatMap((value) => nodesOfType(value, type))];
}
