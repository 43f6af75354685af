import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/engine/plan.js';
import { readTree, renderPlan, type RenderedTree } from '../../src/engine/render.js';
import { patternFlags } from '../../src/patterns/flags.js';
import { REPO_ROOT } from '../support/generated-app.js';
import { everyResource } from '../support/subsets.js';

// The generated README is what a new user follows: every script, file, URL, setting and flag it names must be
// the app's own, for every combination of options that changes what the README says.

const APPS: Record<string, Record<string, object>> = {
  base: {},
  'four patterns': { 'http-api': {}, 'event-processing': {}, 'scheduled-tasks': {}, 'data-processing': {} },
  'four patterns, every resource': everyResource,
  'http-api entra-id at the root': { 'http-api': { auth: 'entra-id', routePrefix: '', resources: 'orders,customers' } },
  'http-api without auth': { 'http-api': { auth: 'none', routePrefix: 'v1' } },
  'event-processing, every source and style': { 'event-processing': everyResource['event-processing'] },
  'event-processing, Service Bus queue': { 'event-processing': { eventSources: 'servicebus', eventStyles: 'filtering', serviceBusEntityName: 'orders' } },
  'scheduled-tasks, two jobs in Paris': { 'scheduled-tasks': { jobs: 'cleanup=every 15 minutes;nightly=daily at 02:30|skip', timeZone: 'Europe/Paris' } },
  'data-processing, blob to blob': { 'data-processing': { dataDestination: 'blob', dataFormat: 'json', inputContainer: 'uploads', archiveContainer: 'done' } },
  'data-processing, queue to Cosmos DB': { 'data-processing': { dataInput: 'queue', dataDestination: 'cosmos', dataFormat: 'ndjson', inputQueue: 'orders-in' } },
  'data-processing, Event Hubs to blob': { 'data-processing': { dataInput: 'eventhubs', dataDestination: 'blob' } },
};

// Names the README takes from outside the generated files: Azure, the Azure CLI, the Functions SDK, the event data.
const OUTSIDE_NAMES = new Set(['TZ', 'functionTimeout', 'context.log', 'context.warn', 'context.error', 'sessionId', 'data.amount', 'data.customerId', '@azure/functions-extensions-servicebus', '--connection-string']);

// The generator's own flags (the built CLI reads the pattern flags from dist/, which unit tests do not need).
const CLI_FLAGS = new Set([
  ...patternFlags().map(({ flag }) => flag.split(' ')[0]!),
  ...[...readFileSync(join(REPO_ROOT, 'src/cli.ts'), 'utf8').matchAll(/(?:option|Option|Flag)\('(?:-\w, )?(--[\w-]+)/g)].map((match) => match[1]!),
]);

interface GeneratedApp {
  name: string;
  patterns: Record<string, object>;
  alerts: readonly { id: string; severity: number }[];
  readme: string;
  tree: RenderedTree;
  file: (path: string) => string;
}

const apps: GeneratedApp[] = Object.entries(APPS).map(([name, patterns]) => {
  const plan = buildPlan({ name: 'shop-app', location: 'eastus2', patterns }, '/tmp/shop-app');
  const tree = renderPlan(plan);
  return { name, patterns, alerts: plan.contribution.alerts, readme: readTree(tree, 'README.md'), tree, file: (path) => readTree(tree, path) };
});

/** Inline code spans, fenced blocks left out. */
function codeSpans(markdown: string): string[] {
  const prose = markdown.replace(/^\s*```[^\n]*\n[\s\S]*?^\s*```$/gm, '');
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
}

/** A path pattern as a regex: `<name>` stands for one path segment (or part of one), `*` likewise. */
function pathPattern(path: string): RegExp {
  const source = path.replace(/\/$/, '').split(/(<[^>]+>|\*)/).map((part, index) => (index % 2 ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}(/.*)?$`);
}

/** The text of a `## <title>` section, up to the next `## ` heading. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  expect(start, title).toBeGreaterThan(0);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

function sourceFiles(app: GeneratedApp, under: string): string {
  return app.tree.paths.filter((path) => path.startsWith(under)).map(app.file).join('\n');
}

function registeredFunctions(app: GeneratedApp): Set<string> {
  return new Set([...sourceFiles(app, 'src/').matchAll(/\bapp\.\w+\(\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!));
}

/** `none` is an empty string, list or object; `-1 (none)` is -1; `50, 90, 100` is `[50, 90, 100]`. */
function declaredDefaultMatches(shown: string, declared: string): boolean {
  if (shown === 'none') return ["''", '[]', '{}'].includes(declared) || declared.startsWith('[]');
  return declared.replace(/^\[|\]$/g, '') === shown.replace(/ \(none\)$/, '');
}

describe.each(apps)('generated README ($name)', (app) => {
  it('runs only scripts package.json has', () => {
    const scripts = (JSON.parse(app.file('package.json')) as { scripts: Record<string, string> }).scripts;
    const named = [...app.readme.matchAll(/\bnpm (?:run )?([\w:-]+)/g)].map((match) => match[1]!).filter((name) => name !== 'install');
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
  });

  it('names only files and folders the app has', () => {
    const topLevel = new Set(app.tree.paths.map((path) => path.split('/')[0]!));
    const paths = codeSpans(app.readme)
      .flatMap((span) => span.split(/\s+/))
      .map((token) => token.replace(/^\.\//, '').replace(/[,:;]$/, ''))
      .filter((token) => topLevel.has(token.split('/')[0]!));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((path) => !app.tree.paths.some((existing) => pathPattern(path).test(existing)))).toEqual([]);
  });

  it('names in code only what the generated files spell so', () => {
    const everything = app.tree.paths.filter((path) => path !== 'README.md').map(app.file).join('\n') + app.tree.paths.join('\n');
    // Placeholders, examples of values, URLs, wildcards and build output name nothing in the files; host.json keys,
    // webhook paths and the HTTP API section's URL paths are checked below.
    const outsideHttpApi = app.readme.replace(/\n## HTTP API\n[\s\S]*?(?=\n## )/, '');
    const names = codeSpans(outsideHttpApi).filter((span) => !/[\s<…*"[(?�]|^-|^\/runtime\/|^\w+:\/\/|^dist\/|^extensions\./.test(span) && !OUTSIDE_NAMES.has(span));
    expect(names.filter((name) => !everything.includes(name))).toEqual([]);
  });

  it('calls only URLs the local host serves', () => {
    const host = JSON.parse(app.file('host.json')) as { extensions?: { http?: { routePrefix?: string } } };
    const prefix = host.extensions?.http?.routePrefix ?? 'api';
    const functions = registeredFunctions(app);
    const routes = new Set([...sourceFiles(app, 'src/functions/').matchAll(/\broute: '([^']+)'/g)].map((match) => match[1]!));
    const urls = [
      ...[...app.readme.matchAll(/http:\/\/localhost:7071(\/[^\s`'"]*)/g)].map((match) => match[1]!),
      ...codeSpans(app.readme).filter((span) => span.startsWith('/runtime/')),
    ];
    expect(urls.length).toBeGreaterThan(0);
    const unserved = urls.filter((url) => {
      const webhook = /^\/runtime\/webhooks\/\w+\?functionName=Host\.Functions\.(\w+)$/.exec(url);
      if (webhook) return !functions.has(webhook[1]!);
      const admin = /^\/admin\/functions\/([^/]+)$/.exec(url);
      if (admin) return !/^<\w+>$/.test(admin[1]!) && !functions.has(admin[1]!);
      const path = url.slice(1);
      return prefix ? !(path.startsWith(`${prefix}/`) && routes.has(path.slice(prefix.length + 1))) : !routes.has(path);
    });
    expect(unserved).toEqual([]);
  });

  it('lists each setting where the configuration table says it is', () => {
    const local = Object.keys((JSON.parse(app.file('local.settings.json')) as { Values: Record<string, string> }).Values);
    const infra = sourceFiles(app, 'infra/');
    const rows = [...section(app.readme, 'Configuration').matchAll(/^\| `([\w*]+)` \| ([^|]+) \|/gm)].map((match) => ({ setting: match[1]!, where: match[2]! }));
    expect(rows.length).toBeGreaterThan(3);
    const wrong = rows.filter(({ setting, where }) => {
      const name = setting.replace(/\*$/, '');
      const inLocal = local.some((key) => key.startsWith(name));
      const inInfra = new RegExp(`\\b${name}`).test(infra);
      return where.includes('local.settings.json') !== inLocal || where.includes('infra') !== inInfra;
    });
    expect(wrong).toEqual([]);
  });

  it('lists parameters main.bicep has, with its defaults', () => {
    const bicep = app.file('infra/main.bicep');
    const rows = [...section(app.readme, 'Deploy').matchAll(/^\| `(\w+)` \| ([^|]+) \| /gm)].map(([, name, shown]) => ({
      name: name!,
      shown: shown!.trim(),
      declared: new RegExp(`^param ${name}\\b[^=]*= ([^\n]+)$`, 'm').exec(bicep)?.[1],
    }));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.filter(({ shown, declared }) => declared === undefined || !declaredDefaultMatches(shown, declared))).toEqual([]);
  });

  it('names only azd environment values the infrastructure reads or writes', () => {
    const outputs = [...app.file('infra/main.bicep').matchAll(/^output (\w+) /gm)].map((match) => match[1]!);
    const parameters = [...app.file('infra/main.parameters.json').matchAll(/\$\{(\w+)/g)].map((match) => match[1]!);
    const named = [...app.readme.matchAll(/<([A-Z][A-Z0-9_]+)>|azd env set ([A-Z][A-Z0-9_]+)/g)].map((match) => (match[1] ?? match[2])!);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !outputs.includes(name) && !parameters.includes(name))).toEqual([]);
  });
});

// Claims only some apps make: each is checked across all of them, and must be found in one at least.
describe('generated READMEs, across the apps', () => {
  it('name by their base name only source files the app has', () => {
    const named = apps.flatMap((app) => {
      const baseNames = new Set(app.tree.paths.map((path) => path.split('/').pop()!));
      return codeSpans(app.readme)
        .filter((span) => /^[\w.-]+\.(ts|mjs|kql|bicep)$/.test(span))
        .map((name) => ({ app: app.name, name, exists: baseNames.has(name) }));
    });
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter(({ exists }) => !exists)).toEqual([]);
  });

  it('name only host.json keys the app has', () => {
    const keys = apps.flatMap((app) => {
      const host = JSON.parse(app.file('host.json')) as Record<string, unknown>;
      return codeSpans(app.readme)
        .filter((span) => /^extensions\.[\w.]+$/.test(span))
        .map((key) => ({ app: app.name, key, exists: key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], host) !== undefined }));
    });
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter(({ exists }) => !exists)).toEqual([]);
  });

  it('name only CLI options the generator has, or that their own commands show', () => {
    const flags = apps.flatMap((app) => {
      const commands = [...app.readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!).join('\n');
      return codeSpans(app.readme)
        .filter((span) => span.startsWith('--'))
        .map((span) => span.split(/[\s=]/)[0]!)
        .map((flag) => ({ app: app.name, flag, known: CLI_FLAGS.has(flag) || commands.includes(flag) || OUTSIDE_NAMES.has(flag) }));
    });
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter(({ known }) => !known)).toEqual([]);
  });

  it('name as served only the paths the API serves', () => {
    const paths = apps.filter((app) => 'http-api' in app.patterns).flatMap((app) => {
      const host = JSON.parse(app.file('host.json')) as { extensions: { http: { routePrefix: string } } };
      const prefix = host.extensions.http.routePrefix;
      const resources = (JSON.parse(app.file('.create-serverless-app.json')) as { answers: { patterns: { 'http-api': { resources: string[] } } } }).answers.patterns['http-api'].resources;
      const routes = [
        ...[...sourceFiles(app, 'src/functions/').matchAll(/\broute: '([^']+)'/g)].map((match) => match[1]!),
        ...resources.flatMap((resource) => [resource, `${resource}/{id}`]),
      ];
      const served = new Set([...(prefix ? [`/${prefix}`] : []), ...routes.map((route) => (prefix ? `/${prefix}/${route}` : `/${route}`))]);
      return codeSpans(section(app.readme, 'HTTP API'))
        .map((span) => span.replace(/^(GET|POST|PUT|PATCH|DELETE) /, ''))
        .filter((span) => /^\/[\w.{}/-]*$/.test(span))
        .map((path) => ({ app: app.name, path, served: served.has(path) }));
    });
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter(({ served }) => !served)).toEqual([]);
  });

  it('name only tables, containers, queues and event hubs the app declares or uses', () => {
    const stores = apps.flatMap((app) => {
      const code = sourceFiles(app, 'infra/') + sourceFiles(app, 'src/');
      return [...app.readme.matchAll(/`([\w-]+)`\*{0,2}\s+(?:blob container|storage queue|event hub|table|container|queue)\b|\b(?:table|container|queue)\s+`([\w-]+)`/g)]
        .map((match) => (match[1] ?? match[2])!)
        // Quoted, or quoted in a quoted query (the host's own poison queues, which alerts read).
        .map((name) => ({ app: app.name, name, declared: new RegExp(`['"]${name}\\\\?['"]`).test(code) }));
    });
    expect(stores.length).toBeGreaterThan(0);
    expect(stores.filter(({ declared }) => !declared)).toEqual([]);
  });

  it('name only alerts the app has, at their severity', () => {
    const named = apps.flatMap((app) =>
      [...app.readme.matchAll(/`([a-z][a-z0-9*-]*)` (?:log )?alert|`([a-z][a-z0-9-]*)` \(severity (\d)\)/g)].map((match) => {
        const id = (match[1] ?? match[2])!;
        const matching = app.alerts.filter((alert) => pathPattern(id).test(alert.id));
        return { app: app.name, id, found: matching.length > 0 && (match[3] === undefined || matching.every((alert) => alert.severity === Number(match[3]))) };
      }),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter(({ found }) => !found)).toEqual([]);
  });

  it('name only modules main.bicep declares', () => {
    const modules = apps.flatMap((app) => {
      const declared = new Set([...app.file('infra/main.bicep').matchAll(/^module (\w+) /gm)].map((match) => match[1]!));
      return [...app.readme.matchAll(/`([\w-]+)` module|`module ([\w-]+)`/g)].map((match) => ({ app: app.name, module: (match[1] ?? match[2])!, declared: declared.has((match[1] ?? match[2])!) }));
    });
    expect(modules.length).toBeGreaterThan(0);
    expect(modules.filter(({ declared }) => !declared)).toEqual([]);
  });
});
