import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/engine/plan.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { defaultPlan, everyResource, PATTERN_SUBSETS, subsetName } from '../support/subsets.js';

// host.json and local.settings*.json checked against SchemaStore's schemas for them (the ones editors validate
// with), as TypeScript types: a misspelt setting, a value of the wrong type or a log level the host does not know
// is a type error. The host ignores unknown settings silently, so nothing else would notice.

/** The file each JSON file is checked as, and the type it must satisfy. */
const CHECKED_FILES: Record<string, { typeImport: string; type: string }> = {
  'host.json': { typeImport: "import type { Version2 } from '@schemastore/host';", type: 'Version2' },
  'local.settings.json': {
    typeImport: "import type { JSONSchemaForAzureFunctionsLocalSettingsJsonFiles as LocalSettings } from '@schemastore/local.settings';",
    type: 'LocalSettings',
  },
};
CHECKED_FILES['local.settings.example.json'] = CHECKED_FILES['local.settings.json']!;

// Virtual files live in the repository, so the types resolve from its node_modules.
const VIRTUAL_DIR = join(process.cwd(), 'test/.settings-schema');

/**
 * Type-checks each JSON text (by name) against the type its file name maps to, in one in-memory program.
 * Returns one line per error, naming the file and the line of the JSON it is on.
 */
function schemaErrors(files: Record<string, string>): string[] {
  const sources = new Map(
    Object.entries(files).map(([name, json]) => {
      const checked = CHECKED_FILES[name.split('/').pop()!]!;
      // The JSON starts on the second line, so a diagnostic's line (counted from 0) is the JSON's (counted from 1).
      // Its final newline would end the statement before `satisfies`.
      return [join(VIRTUAL_DIR, `${name}.ts`), `${checked.typeImport}\nexport const value = ${json.trimEnd()} satisfies ${checked.type};\n`];
    }),
  );
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (path) => sources.has(path) || fileExists(path);
  host.readFile = (path) => sources.get(path) ?? readFile(path);
  host.getSourceFile = (path, languageVersion, ...rest) => {
    const text = sources.get(path);
    return text === undefined ? getSourceFile(path, languageVersion, ...rest) : ts.createSourceFile(path, text, languageVersion);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (!diagnostic.file || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName.slice(VIRTUAL_DIR.length + 1, -'.ts'.length)} line ${line}: ${message}`;
  });
}

/** Every pattern subset at its defaults, and the options that change host.json's extensions. */
const plans = [
  ...PATTERN_SUBSETS.map((patterns) => ({ name: subsetName(patterns), plan: defaultPlan(patterns) })),
  { name: 'every-resource', plan: buildPlan({ name: 'composed-app', location: 'eastus2', patterns: everyResource }, '/tmp/composed-app') },
  ...['queue', 'blob'].map((dataInput) => ({
    name: `data-${dataInput}-with-service-bus-sessions`,
    plan: buildPlan(
      {
        name: 'variant-app',
        location: 'eastus2',
        patterns: { 'data-processing': { dataInput }, 'event-processing': { eventSources: 'servicebus,storage-queue', ordering: 'ordered' }, 'http-api': { routePrefix: '' } },
      },
      '/tmp/variant-app',
    ),
  })),
];

/** Files with a misspelt setting, a value of the wrong type and an unknown log level: proof the check can fail. */
const TYPOS = {
  'typos/host.json': JSON.stringify(
    {
      version: '2.0',
      logging: { logLevel: { default: 'Info' } },
      extensions: { queues: { batchSize: '16' }, http: { routePrefx: 'api' } },
    },
    null,
    2,
  ),
  'typos/local.settings.json': JSON.stringify({ IsEncrypted: 'false', Values: { FUNCTIONS_WORKER_RUNTIME: 'nodejs' } }, null, 2),
};

describe('host.json and local.settings*.json against SchemaStore', () => {
  const generated: Record<string, string> = {};
  let errors: string[];
  // One program for every file: creating one takes a second or two.
  beforeAll(() => {
    for (const { name, plan } of plans) {
      const tree = renderPlan(plan);
      for (const path of Object.keys(CHECKED_FILES)) generated[`${name}/${path}`] = readTree(tree, path);
    }
    errors = schemaErrors({ ...generated, ...TYPOS });
  }, 60_000);

  it('every pattern subset and option that changes them gives files the schemas accept', () => {
    expect(Object.keys(generated)).toHaveLength(plans.length * 3);
    expect(errors.filter((error) => !error.startsWith('typos/'))).toEqual([]);
  });

  it('reports a misspelt setting, a value of the wrong type and an unknown log level', () => {
    expect(errors.filter((error) => error.startsWith('typos/'))).toEqual([
      expect.stringMatching(/^typos\/host\.json line 5: .*'"Info"'/),
      expect.stringMatching(/^typos\/host\.json line 10: .*'string' is not assignable to type 'number'/),
      expect.stringMatching(/^typos\/host\.json line 13: .*routePrefx/),
      expect.stringMatching(/^typos\/local\.settings\.json line 2: .*'string' is not assignable to type 'boolean/),
      expect.stringMatching(/^typos\/local\.settings\.json line 4: .*'"nodejs"'/),
    ]);
  });
});
