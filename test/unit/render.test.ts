import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildPlan } from '../../src/engine/plan.js';
import { MANIFEST_PATH, sha256 } from '../../src/engine/manifest.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { PACKAGE_MANAGERS, type PackageManager } from '../../src/engine/package-manager.js';
import { PATTERN_IDS } from '../../src/patterns/types.js';
import { REPO_ROOT } from '../support/generated-app.js';

const plan = (patterns: Record<string, object> = { 'http-api': {} }) =>
  buildPlan({ name: 'shop-app', location: 'westeurope', patterns }, '/tmp/shop-app');

describe('renderPlan', () => {
  const tree = renderPlan(plan());
  const file = (path: string) => readTree(tree, path);

  it('renders the base project into memory', () => {
    for (const path of ['package.json', 'host.json', 'tsconfig.json', 'src/functions/health.ts', 'infra/main.bicep', 'azure.yaml', '.gitignore', '.funcignore', '.github/workflows/azure-dev.yml', 'README.md', 'local.settings.json', 'local.settings.example.json', 'bicepconfig.json']) {
      expect(tree.paths, path).toContain(path);
    }
    expect(tree.paths.some((path) => path.endsWith('.hbs') || path.includes('/_') || path.startsWith('_'))).toBe(false);
  });

  it('writes package.json with pinned dependencies and a main glob that matches compiled functions', () => {
    const pkg = JSON.parse(file('package.json'));
    expect(pkg.name).toBe('shop-app');
    expect(pkg.main).toBe('dist/src/functions/*.js');
    expect(pkg.dependencies['@azure/functions']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.devDependencies.typescript).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("declares in engines the oldest Node 20 its test toolchain runs on (vitest's vite)", () => {
    // The generated app pins the vitest this repository tests with, so its vite is the one installed here.
    const viteEngines = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/vite/package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const oldestNode20 = /\^(20\.\d+)\.0/.exec(viteEngines)![1];
    expect(JSON.parse(file('package.json')).engines.node).toBe(`>=${oldestNode20}`);
  });

  it('keeps Flex Consumption rules: extension bundle v4 and no settings Flex refuses', () => {
    expect(JSON.parse(file('host.json')).extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
    const bicep = file('infra/main.bicep');
    for (const refused of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_CONTENT', 'WEBSITE_TIME_ZONE', 'functionAppScaleLimit']) {
      expect(bicep).not.toContain(refused);
    }
  });

  it('starts local settings from one template and points the host at Azurite', () => {
    expect(file('local.settings.json')).toBe(file('local.settings.example.json'));
    expect(JSON.parse(file('local.settings.json')).Values.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
  });

  it('uses the chosen location as the azd default', () => {
    expect(JSON.parse(file('infra/main.parameters.json')).parameters.location.value).toBe('${AZURE_LOCATION=westeurope}');
  });

  it('deploys from CI as the pipeline\'s service principal, with the OIDC subject azd pipeline config trusts', () => {
    const workflow = file('.github/workflows/azure-dev.yml');
    const deployJob = workflow.slice(workflow.indexOf('\n  deploy:'));
    // An `environment:` would make the token's subject environment-based, which no created credential matches.
    expect(deployJob).not.toMatch(/^ {4}environment:/m);
    expect(deployJob).toContain('AZURE_PRINCIPAL_TYPE: ServicePrincipal');
    expect(JSON.parse(file('infra/main.parameters.json')).parameters.principalType.value).toBe('${AZURE_PRINCIPAL_TYPE=User}');
    expect(file('infra/modules/storage.bicep')).toContain('principalType: developerPrincipalType');
    // Without hooks, nothing calls the Azure CLI, so nothing logs it in.
    expect(workflow).not.toContain('azure/login');
  });

  it('lets the developer manage Key Vault secrets, and keeps purge protection on', () => {
    const vault = file('infra/modules/key-vault.bicep');
    expect(vault).toContain("var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'");
    expect(vault).toContain('principalId: developerPrincipalId');
    expect(vault).toContain('enablePurgeProtection: true');
    // Purge protection forbids purging: the README must not promise that `azd down --purge` frees the name.
    expect(file('README.md')).toContain('cannot be purged, not even by `azd down --purge`');
  });

  it('records the answers and a hash of every file in the manifest', () => {
    const manifest = JSON.parse(file(MANIFEST_PATH));
    expect(manifest.answers).toMatchObject({ name: 'shop-app', location: 'westeurope', patterns: { 'http-api': expect.any(Object) } });
    expect(Object.keys(manifest.files).sort()).toEqual(tree.paths.filter((path) => path !== MANIFEST_PATH).sort());
    expect(manifest.files['host.json']).toBe(sha256(file('host.json')));
  });

  it('records the package manager in the manifest unless it is npm, which a manifest without one means', () => {
    expect(JSON.parse(file(MANIFEST_PATH))).not.toHaveProperty('packageManager');
    expect(JSON.parse(readTree(renderPlan(plan(), { packageManager: 'npm' }), MANIFEST_PATH))).not.toHaveProperty('packageManager');
    expect(JSON.parse(readTree(renderPlan(plan(), { packageManager: 'pnpm' }), MANIFEST_PATH)).packageManager).toBe('pnpm');
  });

  // pnpm 10 left esbuild's install script unrun with a warning to approve it, and pnpm 12 failed the install
  // (ERR_PNPM_IGNORED_BUILDS). pnpm 9 refuses a pnpm-workspace.yaml without `packages`.
  it("pnpm: allows esbuild's install script in pnpm-workspace.yaml, a workspace of the app alone", () => {
    const tree = renderPlan(plan(), { packageManager: 'pnpm' });
    expect(parseYaml(readTree(tree, 'pnpm-workspace.yaml'))).toEqual({ packages: ['.'], allowBuilds: { esbuild: true } });
    for (const pm of ['npm', 'yarn', 'bun'] as const) expect(renderPlan(plan(), { packageManager: pm }).paths).not.toContain('pnpm-workspace.yaml');
  });

  // Yarn 2+ installs Plug'n'Play by default: no node_modules, so the built functions could not import
  // @azure/functions, which the bundle leaves to node_modules, outside Yarn's own runtime (func start, Azure).
  it('yarn: has Yarn 2+ install node_modules', () => {
    const tree = renderPlan(plan(), { packageManager: 'yarn' });
    expect(parseYaml(readTree(tree, '.yarnrc.yml'))).toEqual({ nodeLinker: 'node-modules' });
    for (const pm of ['npm', 'pnpm', 'bun'] as const) expect(renderPlan(plan(), { packageManager: pm }).paths).not.toContain('.yarnrc.yml');
  });

  it('is deterministic: the same plan renders byte-identical trees', () => {
    const again = renderPlan(plan());
    expect(again.paths).toEqual(tree.paths);
    for (const path of tree.paths) expect(readTree(again, path), path).toBe(file(path));
  });

  it('combines event processing with every data-processing input: one host.json the queue triggers share', () => {
    for (const eventSources of ['storage-queue', 'servicebus,eventhubs,eventgrid', 'storage-queue,servicebus,eventhubs,eventgrid']) {
      for (const dataInput of ['blob', 'queue', 'eventhubs']) {
        const combined = renderPlan(plan({ 'event-processing': { eventSources, eventStyles: 'filtering,fan-out' }, 'data-processing': { dataInput } }));
        const host = JSON.parse(readTree(combined, 'host.json')) as { extensions: Record<string, unknown> };
        if (dataInput === 'queue') expect(host.extensions.queues, `${eventSources} + ${dataInput}`).toMatchObject({ batchSize: 8, maxDequeueCount: 5 });
      }
    }
  });

  it('renders every pattern subset with valid JSON files', () => {
    const all = renderPlan(plan(Object.fromEntries(PATTERN_IDS.map((id) => [id, {}]))));
    for (const path of all.paths.filter((p) => p.endsWith('.json'))) {
      expect(() => JSON.parse(readTree(all, path)), path).not.toThrow();
    }
  });
});

describe('README of the generated app', () => {
  it('points the local health check at the route prefix host.json declares', () => {
    const readme = (routePrefix?: string) =>
      readTree(renderPlan(buildPlan({ name: 'probe', location: 'eastus2', patterns: { 'http-api': routePrefix ? { routePrefix } : {} } }, '/tmp/probe')), 'README.md');
    expect(readme('v1')).toContain('curl http://localhost:7071/v1/health');
    expect(readme()).toContain('curl http://localhost:7071/api/health');
  });

  // Backslash escapes show literally inside a code span: names there must appear exactly as in the code.
  it('writes names in code spans as they are, without Markdown escapes', () => {
    const readme = readTree(
      renderPlan(
        plan({
          'event-processing': { eventSources: 'storage-queue,servicebus', eventStyles: 'aggregation', aggregationKey: 'customer_id', storageQueueName: 'my-queue' },
          'scheduled-tasks': {},
        }),
      ),
      'README.md',
    );
    expect(readme).toContain('then `my-queue-poison`;');
    expect(readme).toContain('per `data.customer_id` per');
    expect(readme).toContain('| `SCHEDULED_JOB_RUNS_TABLE` | infra, local.settings.json |');
    expect(readme).toContain('| `EventsServiceBus__fullyQualifiedNamespace` |');
    expect(readme.match(/`[^`\n]*\\[^`\n]*`/g) ?? []).toEqual([]);
  });

  const allPatterns = () => renderPlan(plan(Object.fromEntries(PATTERN_IDS.map((id) => [id, {}]))));

  it('lists every parameter of infra/main.bicep a user sets, since it says "every setting below is a parameter"', () => {
    const tree = allPatterns();
    // Set by azd from its environment (main.parameters.json), not by hand.
    const azdManaged = ['environmentName', 'location', 'principalId', 'principalType', 'budgetStartDate'];
    const params = [...readTree(tree, 'infra/main.bicep').matchAll(/^param (\w+)/gm)].map((match) => match[1]!).filter((name) => !azdManaged.includes(name));
    expect(params.length).toBeGreaterThan(5);
    const rows = readTree(tree, 'README.md');
    expect(params.filter((name) => !rows.includes(`| \`${name}\` |`))).toEqual([]);
  });

  // Found by QA: the app's storage SDKs send an API version newer than Azurite knows, and Azurite answers 400
  // unless told to skip that check, which the generated tests' own Azurite is.
  it('starts Azurite for a local run with the flags the tests start it with', () => {
    const tree = allPatterns();
    const command = /^npx azurite .*&$/m.exec(readTree(tree, 'README.md'))?.[0];
    expect(command).toBeDefined();
    for (const flag of ['--skipApiVersionCheck', '--loose']) {
      expect(readTree(tree, 'test/support/azurite.ts')).toContain(`'${flag}'`);
      expect(command).toContain(flag);
    }
  });

  describe('commands, in the package manager the app was made for', () => {
    const readmeFor = (packageManager?: PackageManager) => readTree(renderPlan(plan(Object.fromEntries(PATTERN_IDS.map((id) => [id, {}]))), { packageManager }), 'README.md');
    /** The README's commands of npm, pnpm, yarn or bun, as in a shell block or a code span, in order. */
    const commands = (readme: string, pm: string) => [...readme.matchAll(new RegExp(`(?<=^|\`)${pm} [a-z][a-z0-9:-]*(?: [a-z][a-z0-9:-]*)?`, 'gm'))].map((match) => match[0]);

    // A pnpm user following an npm README would get a package-lock.json beside pnpm-lock.yaml.
    it.each([
      ['pnpm', 'pnpm test', 'pnpm start', 'pnpm run'],
      ['yarn', 'yarn test', 'yarn start', 'yarn run'],
      ['bun', 'bun run test', 'bun run start', 'bun run'],
    ] as const)('%s: every install and script command is its own, none is npm', (pm, test, start, run) => {
      const readme = readmeFor(pm);
      expect(readme).toContain(`\n${pm} install\n${test.padEnd(20)}# unit and integration tests`);
      expect(readme).toContain(`${run} test:slow`);
      expect(readme).toContain(`${run} typecheck`);
      expect(readme).toContain(`\n${start.padEnd(20)}# builds, then runs \`func start\``);
      expect(readme).toContain(`\`${run} build\``);
      expect(readme).not.toMatch(/\bnpm (install|test|run|start)\b/);
      expect(commands(readme, pm)).toHaveLength(commands(readmeFor('npm'), 'npm').length);
    });

    it.each(PACKAGE_MANAGERS)('%s: comments after the commands start in one column, whatever their length', (pm) => {
      const block = readmeFor(pm).split('```sh\n')[1]!.split('```')[0]!;
      const columns = block.split('\n').filter((line) => line.includes(' # ')).map((line) => line.indexOf('# '));
      expect(columns.length).toBeGreaterThanOrEqual(2);
      expect(new Set(columns).size).toBe(1);
    });

    // Yarn 2+ runs no pre/post scripts (and pnpm 7 did not): `start` must build by itself.
    it.each([
      ['npm', 'npm run clean && npm run build && func start'],
      ['pnpm', 'pnpm run clean && pnpm run build && func start'],
      ['yarn', 'yarn run clean && yarn run build && func start'],
      ['bun', 'bun run clean && bun run build && func start'],
    ] as const)('%s: start cleans and builds with the same package manager, with no prestart', (pm, start) => {
      const { scripts } = JSON.parse(readTree(renderPlan(plan(), { packageManager: pm }), 'package.json')) as { scripts: Record<string, string> };
      expect(scripts.start).toBe(start);
      expect(Object.keys(scripts).filter((name) => /^(pre|post)/.test(name))).toEqual([]);
    });

    it('npm: as before, and what an app rendered without a package manager gets', () => {
      const readme = readmeFor('npm');
      expect(readme).toBe(readmeFor());
      expect(commands(readme, 'npm')).toEqual([
        'npm install',
        'npm test',
        'npm run test:slow',
        'npm run typecheck',
        'npm start',
        'npm install',
        'npm test',
        'npm start',
        'npm start',
        'npm run test:slow',
        'npm run build',
        'npm run build',
      ]);
    });
  });

  it('says when CI runs as the workflow triggers it', () => {
    const tree = renderPlan(plan());
    const workflow = readTree(tree, '.github/workflows/azure-dev.yml');
    expect(workflow).toMatch(/^on:\n  push:\n    branches: \[main\]\n  pull_request:\n  workflow_dispatch:\n/m);
    expect(readTree(tree, 'README.md').replace(/\s+/g, ' ')).toContain('on every pull request and every push to `main` (or when run by hand)');
    expect(readTree(allPatterns(), 'README.md')).toContain('tests the app (the slow tests too)');
  });
});
