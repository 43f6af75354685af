import { relative, sep } from 'node:path';
import { Superblock } from 'memfs/lib/core/index.js';
import { CORE_PARAM_BINDINGS, coreDependencies, trustedBicep } from '../azure/core-params.js';
import type { JsonObject, JsonValue } from '../patterns/types.js';
import { bicepLiteral } from './escape.js';
import { deepMerge } from './json-merge.js';
import { lockfileFor, type AppPackageJson } from './lockfile.js';
import { answersDigest, MANIFEST_PATH, sha256 } from './manifest.js';
import type { PackageManager } from './package-manager.js';
import type { Plan } from './plan.js';
import { templateEngine, type TemplateEngine } from './templates.js';

/** An in-memory project: a memfs file system plus the list of paths it holds, in order. */
export interface RenderedTree {
  fs: Superblock;
  paths: string[];
}

export function readTree(tree: RenderedTree, path: string): string {
  const node = tree.fs.getResolvedLink(`/${path}`)?.getNode();
  if (!node?.isFile()) throw new Error(`${path} is not a file of the rendered tree`);
  return node.getString();
}

export interface RenderOptions {
  /** Whose commands the README shows, recorded in the manifest for `add`; npm when not given. */
  packageManager?: PackageManager;
  /**
   * Whether the app gets what the package manager reads besides package.json (see packageManagerFiles): by default
   * when one is given. `add` says false: from the first install on those files are the package manager's.
   */
  packageManagerFiles?: boolean;
}

/**
 * Renders a plan into memory. Nothing here touches the target directory: the caller diffs the tree
 * against the disk before a single byte is written.
 */
export function renderPlan(plan: Plan, options: RenderOptions = {}): RenderedTree {
  const packageManager = options.packageManager ?? 'npm';
  const templates = templateEngine();
  const context = renderContext(plan, packageManager);
  for (const { partial } of plan.contribution.readmeSections) templates.ensurePartial(partial);
  const files = new Map<string, string>();

  for (const file of plan.contribution.files) {
    files.set(file.path, templates.render(file.template, { ...context, ...file.data }));
  }
  for (const [path, patch] of Object.entries(jsonContributions(plan))) {
    const current = files.get(path);
    if (current === undefined) throw new Error(`template bug: ${path} receives JSON contributions but is not generated`);
    files.set(path, `${JSON.stringify(deepMerge(JSON.parse(current) as JsonObject, patch), null, 2)}\n`);
  }
  files.set(MANIFEST_PATH, manifest(plan, packageManager, files));
  if (options.packageManagerFiles ?? options.packageManager !== undefined) {
    for (const [path, content] of packageManagerFiles(packageManager, files, templates)) files.set(path, content);
  }

  const paths = [...files.keys()].sort();
  return { fs: memoryTree(paths.map((path) => [path, files.get(path)!])), paths };
}

/**
 * npm gets the app's lockfile, so that its first install fetches no package metadata; pnpm a pnpm-workspace.yaml
 * that lets esbuild's install script run; yarn 1 a .yarnrc that lets it install on Node.js 20, and yarn 2+ a
 * .yarnrc.yml that has it install node_modules (see the files). pnpm, yarn and bun write their own lockfiles from
 * package.json. Outside the manifest: they belong to the package manager from the first install on, and `add` leaves
 * them alone.
 */
function packageManagerFiles(packageManager: PackageManager, files: ReadonlyMap<string, string>, templates: TemplateEngine): Array<[string, string]> {
  if (packageManager === 'npm') return [['package-lock.json', lockfileFor(JSON.parse(files.get('package.json')!) as AppPackageJson)]];
  if (packageManager === 'pnpm') return [['pnpm-workspace.yaml', templates.render('package-managers/pnpm/pnpm-workspace.yaml', {})]];
  if (packageManager === 'yarn') {
    return [
      ['.yarnrc', templates.render('package-managers/yarn/_yarnrc', {})],
      ['.yarnrc.yml', templates.render('package-managers/yarn/_yarnrc.yml', {})],
    ];
  }
  return [];
}

/**
 * Builds the tree on memfs's core file system rather than its `fs` facade: the facade checks permissions on
 * every path step with a uid/gid system call, which cost more than rendering the whole project.
 */
function memoryTree(files: ReadonlyArray<readonly [string, string]>): Superblock {
  const fs = new Superblock();
  for (const [path, content] of files) {
    const segments = path.split('/');
    const name = segments.pop()!;
    let dir = fs.root;
    for (const segment of segments) dir = dir.getChild(segment) ?? fs.createLink(dir, segment, true);
    fs.createLink(dir, name).getNode().setString(content);
  }
  return fs;
}

/** The typed contributions (host.json fragments, dependencies, settings) land in their JSON files. */
function jsonContributions(plan: Plan): Record<string, JsonObject> {
  const { hostJson, dependencies, devDependencies, appSettings } = plan.contribution;
  const localSettings = appSettings.filter((setting) => setting.local !== undefined);
  const localValues: JsonObject = { Values: Object.fromEntries(localSettings.map((setting) => [setting.name, setting.local!])) };
  return {
    'host.json': hostJson,
    'package.json': { dependencies, devDependencies },
    'local.settings.json': localValues,
    'local.settings.example.json': localValues,
  };
}

function manifest(plan: Plan, packageManager: PackageManager, files: Map<string, string>): string {
  const hashes = Object.fromEntries([...files.keys()].sort().map((path) => [path, sha256(files.get(path)!)]));
  // Recorded only when not npm: a manifest without it (npm apps, and every app made before it was recorded) means npm.
  const record = {
    generator: plan.generator,
    answers: plan.answers,
    ...(packageManager === 'npm' ? {} : { packageManager }),
    answersSha256: answersDigest(plan.answers, packageManager),
    files: hashes,
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

function renderContext(plan: Plan, packageManager: PackageManager): Record<string, unknown> {
  const { contribution } = plan;
  // HTTP routes (the base health probe too) live under host.json's extensions.http.routePrefix, "api" by default.
  const http = (contribution.hostJson.extensions as JsonObject | undefined)?.http as JsonObject | undefined;
  const context: Record<string, unknown> = {
    routePrefix: typeof http?.routePrefix === 'string' ? http.routePrefix : 'api',
    // For the README's commands: `{{run packageManager 'test'}}`.
    packageManager,
    project: plan.project,
    generator: plan.generator,
    appDescription: `Azure Functions app: ${plan.patterns.map((p) => p.definition.title).join(' + ') || 'base project'}`,
    patterns: plan.patterns.map(({ definition, options }) => ({
      id: definition.id,
      title: definition.title,
      summary: definition.summary,
      matrix: definition.matrix,
      options,
    })),
    // A pattern's own files also get `options` (its options); this map serves cross-pattern needs.
    patternOptions: Object.fromEntries(plan.patterns.map(({ definition, options }) => [definition.id, options])),
    features: contribution.features,
    appSettings: contribution.appSettings.map((setting) => ({
      ...setting,
      // Strict templates cannot test a missing key, so cloud-only settings are flagged explicitly.
      isLocal: setting.local !== undefined,
      bicepValue: 'module' in setting.cloud ? trustedBicep(`${setting.cloud.module}.outputs.${setting.cloud.output}`) : trustedBicep(bicepLiteral(setting.cloud.value)),
    })),
    infraModules: contribution.infraModules.map((module) => ({
      symbol: module.symbol,
      path: relative('infra', module.path).split(sep).join('/'),
      params: [
        ...module.coreParams.map((name) => ({ name, value: CORE_PARAM_BINDINGS[name].value })),
        ...Object.entries(module.params ?? {}).map(([name, value]) => ({ name, value: trustedBicep(bicepLiteral(value as JsonValue, '    ')) })),
      ],
      dependsOn: coreDependencies(module.coreParams),
    })),
    alertsLiteral: trustedBicep(bicepLiteral(contribution.alerts as unknown as JsonValue, '    ')),
    alerts: contribution.alerts,

    nextSteps: contribution.nextSteps,
  };
  // A README section renders with everything above plus its own pattern's `options` and `pattern`.
  context.readmeSections = contribution.readmeSections.map((section) => ({ name: section.partial, context: { ...context, ...section.data } }));
  return context;
}
