import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { mergeFile, mergeJson, mergeText, planFileUpdates, type MergeOutcome } from '../../src/engine/merge.js';
import { sha256 } from '../../src/engine/manifest.js';
import { TEMPLATES_DIR } from '../../src/templates-dir.js';
import { bicepMissing, buildBicepPattern } from '../support/bicep.js';
import { scratchDir } from '../support/generated-app.js';

const HOST_JSON = readFileSync(join(TEMPLATES_DIR, 'base/host.json'), 'utf8');

function merged(outcome: MergeOutcome): string {
  if (outcome.kind !== 'merged') throw new Error(`expected a clean merge, got conflicts: ${outcome.reasons.join('; ')}`);
  return outcome.content;
}

/** The generator's change a new pattern makes: a JSON patch applied to the generated text. */
function withJson(text: string, change: (value: Record<string, any>) => void): string {
  const value = JSON.parse(text) as Record<string, any>;
  change(value);
  return `${JSON.stringify(value, null, 2)}\n`;
}

describe('mergeJson', () => {
  it('host.json: adds the new extension settings and keeps the user comments, settings and formatting', () => {
    const ours = HOST_JSON.replace('{\n  "version": "2.0",', '{\n  // Ops asked for five minutes: the nightly export is slow.\n  "functionTimeout": "00:05:00",\n  "version": "2.0",').replace(
      '"default": "Information"',
      '"default": "Warning" /* noisy otherwise */',
    );
    const theirs = withJson(HOST_JSON, (host) => (host.extensions = { serviceBus: { prefetchCount: 0, maxConcurrentCalls: 16 } }));

    const result = merged(mergeJson(HOST_JSON, ours, theirs));

    expect(result).toContain('// Ops asked for five minutes: the nightly export is slow.');
    expect(result).toContain('"default": "Warning" /* noisy otherwise */');
    expect(parse(result)).toEqual({ ...JSON.parse(theirs), functionTimeout: '00:05:00', logging: { ...JSON.parse(theirs).logging, logLevel: { ...JSON.parse(theirs).logging.logLevel, default: 'Warning' } } });
    // Inserted with the file's own two-space indentation, after the user's last key.
    expect(result).toMatch(/\n {2}"extensions": \{\n {4}"serviceBus": \{\n {6}"prefetchCount": 0,/);
  });

  it('host.json: merges into an extensions object the user already has, key by key', () => {
    const base = withJson(HOST_JSON, (host) => (host.extensions = { queues: { batchSize: 16 } }));
    const ours = base.replace('"batchSize": 16', '"batchSize": 16,\n      "maxDequeueCount": 3 // poison after three tries');
    const theirs = withJson(base, (host) => (host.extensions.serviceBus = { maxConcurrentCalls: 16 }));

    const result = merged(mergeJson(base, ours, theirs));

    expect(result).toContain('"maxDequeueCount": 3 // poison after three tries');
    expect(parse(result).extensions).toEqual({ queues: { batchSize: 16, maxDequeueCount: 3 }, serviceBus: { maxConcurrentCalls: 16 } });
  });

  it('host.json: a setting appended after the user last key leaves that key comment on its line', () => {
    const ours = HOST_JSON.replace(/\n\}\n$/, ',\n  "functionTimeout": "00:10:00" // the nightly export needs ten minutes\n}\n');
    const theirs = withJson(HOST_JSON, (host) => (host.extensions = { queues: { batchSize: 16 } }));

    const result = merged(mergeJson(HOST_JSON, ours, theirs));

    expect(result).toContain('\n  "functionTimeout": "00:10:00", // the nightly export needs ten minutes\n  "extensions": {');
    expect(result).toMatch(/\n {2}\}\n\}\n$/);
    expect(parse(result)).toEqual({ ...JSON.parse(theirs), functionTimeout: '00:10:00' });
  });

  it('local.settings.json: the same with a trailing comma, and with a block comment', () => {
    const base = '{\n  "Values": {\n    "A": "1"\n  }\n}\n';
    const theirs = '{\n  "Values": {\n    "A": "1",\n    "Z": "26"\n  }\n}\n';
    expect(merged(mergeJson(base, base.replace('"A": "1"', '"A": "1",\n    "M": "x", // mine'), theirs))).toContain('"M": "x", // mine\n    "Z": "26",\n  }');
    expect(merged(mergeJson(base, base.replace('"A": "1"', '"A": "1",\n    "M": "x" /* mine */'), theirs))).toContain('"M": "x", /* mine */\n    "Z": "26"\n  }');
  });

  // Found by QA: jsonc-parser formats the whole lines it inserts on, so the user's one-line object before a new key
  // was spread over several lines, and a comment after it went to the new key's line.
  it('host.json: a key added after a one-line object leaves that object, and its comment, as the user wrote them', () => {
    const base = withJson(HOST_JSON, (host) => (host.extensions = { http: { routePrefix: 'api' } }));
    const theirs = withJson(base, (host) => (host.extensions.queues = { maxDequeueCount: 5 }));
    const ours = base.replace(/"http": \{\n\s*"routePrefix": "api"\n\s*\}/, '"http": { "routePrefix": "api" } // one line is enough');

    const result = merged(mergeJson(base, ours, theirs));

    expect(result).toContain('\n    "http": { "routePrefix": "api" }, // one line is enough\n    "queues": {\n      "maxDequeueCount": 5\n    }\n  }');
    expect(parse(result).extensions).toEqual(JSON.parse(theirs).extensions);
  });

  it('local.settings.json: a setting added to a one-line Values goes on that line, in sorted place', () => {
    const base = '{\n  "Values": {\n    "A": "1"\n  }\n}\n';
    const theirs = '{\n  "Values": {\n    "A": "1",\n    "B": "2"\n  }\n}\n';

    expect(merged(mergeJson(base, '{\n  "Values": { "A": "1", "F": "on" }\n}\n', theirs))).toBe('{\n  "Values": { "A": "1", "B": "2", "F": "on" }\n}\n');
  });

  it('host.json: a value the user changed that the new version changes too is a conflict, with its path', () => {
    const base = withJson(HOST_JSON, (host) => (host.extensions = { queues: { batchSize: 16 } }));
    const ours = base.replace('"batchSize": 16', '"batchSize": 8');
    const theirs = base.replace('"batchSize": 16', '"batchSize": 32');

    expect(mergeJson(base, ours, theirs)).toMatchObject({ kind: 'conflict', reasons: ['extensions.queues.batchSize: you changed it, and the new version changes it too'] });
  });

  it('a JSON conflict also says what taking the new version writes: its values where both changed, the other edits kept', () => {
    const base = withJson(HOST_JSON, (host) => (host.extensions = { queues: { batchSize: 16 } }));
    const ours = base.replace('"batchSize": 16', '"batchSize": 8, // tuned by hand').replace('"version": "2.0"', '"version": "2.0",\n  "functionTimeout": "00:05:00"');
    const theirs = withJson(base, (host) => {
      host.extensions.queues.batchSize = 32;
      host.extensions.serviceBus = { prefetchCount: 0 };
    });

    const outcome = mergeJson(base, ours, theirs);
    expect(outcome.kind).toBe('conflict');
    const taken = outcome.kind === 'conflict' ? outcome.theirsWhereConflicting! : '';
    expect(parse(taken)).toEqual({ ...parse(theirs), functionTimeout: '00:05:00' });
    expect(taken).toContain('"batchSize": 32, // tuned by hand');
  });

  it('host.json: the same change made on both sides is not a conflict', () => {
    const theirs = withJson(HOST_JSON, (host) => (host.extensions = { queues: { batchSize: 16 } }));
    const ours = `// mine\n${theirs}`;
    expect(merged(mergeJson(HOST_JSON, ours, theirs))).toBe(ours);
  });

  const PACKAGE_JSON = `{
  "name": "orders",
  "description": "Azure Functions app: HTTP API",
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "test": "vitest run"
  },
  "dependencies": {
    "@azure/functions": "4.16.5",
    "zod": "4.1.12"
  },
  "devDependencies": {
    "typescript": "5.9.3"
  }
}
`;

  it('package.json: new dependencies land in sorted order; the user dependency and script stay', () => {
    const ours = PACKAGE_JSON.replace('"zod": "4.1.12"', '"date-fns": "4.1.0",\n    "zod": "4.1.12"').replace('"test": "vitest run"', '"test": "vitest run",\n    "lint": "eslint ."');
    const theirs = withJson(PACKAGE_JSON, (pkg) => {
      pkg.description = 'Azure Functions app: HTTP API + Event Processing';
      pkg.dependencies = { '@azure/functions': '4.16.5', '@azure/service-bus': '7.9.5', zod: '4.1.12' };
    });

    const result = merged(mergeJson(PACKAGE_JSON, ours, theirs));

    expect(Object.keys(parse(result).dependencies)).toEqual(['@azure/functions', '@azure/service-bus', 'date-fns', 'zod']);
    expect(parse(result).scripts.lint).toBe('eslint .');
    expect(parse(result).description).toBe('Azure Functions app: HTTP API + Event Processing');
  });

  // A user who upgraded a dependency, or added one before the pattern that needs it, got the whole package.json
  // as a conflict: keeping theirs lost the new pattern's dependencies, taking ours lost the user's scripts.
  it.each([
    ['bumped to a compatible newer release: yours kept', { zod: '4.2.0' }, { zod: '4.1.13' }, { zod: '4.2.0' }],
    ['added it before the pattern, newer: yours kept', { '@azure/service-bus': '7.10.0' }, { '@azure/service-bus': '7.9.5' }, { '@azure/service-bus': '7.10.0' }],
    ['added it as a range the pin satisfies: the pin, which the new code may need', { '@azure/service-bus': '^7.0.0' }, { '@azure/service-bus': '7.9.5' }, { '@azure/service-bus': '7.9.5' }],
    ['a preview pin and a later release of it: yours kept', { '@azure/functions-extensions-servicebus': '0.2.1' }, { '@azure/functions-extensions-servicebus': '0.2.0-preview' }, { '@azure/functions-extensions-servicebus': '0.2.1' }],
  ])('package.json: one dependency at two versions settles on the one that satisfies both (%s)', (_, mine, pinned, expected) => {
    const withDependencies = (text: string, dependencies: Record<string, string>) => withJson(text, (pkg) => Object.assign(pkg.dependencies, dependencies));
    const outcome = mergeFile('package.json', PACKAGE_JSON, withDependencies(PACKAGE_JSON, mine), withDependencies(PACKAGE_JSON, pinned));
    expect(parse(merged(outcome)).dependencies).toEqual({ '@azure/functions': '4.16.5', zod: '4.1.12', ...expected });
  });

  it.each([
    ['another major', '^8.0.0'],
    ['an older release', '7.8.0'],
    ['a git URL', 'github:Azure/azure-sdk-for-js'],
    ['a dist-tag', 'latest'],
  ])('package.json: a dependency the user has at %s stays a conflict on that one key', (_, mine) => {
    const ours = withJson(PACKAGE_JSON, (pkg) => (pkg.dependencies['@azure/service-bus'] = mine));
    const theirs = withJson(PACKAGE_JSON, (pkg) => (pkg.dependencies['@azure/service-bus'] = '7.9.5'));
    expect(mergeFile('package.json', PACKAGE_JSON, ours, theirs)).toMatchObject({ kind: 'conflict', reasons: ['dependencies.@azure/service-bus: you changed it, and the new version changes it too'] });
  });

  // Found by QA: a package the user had in devDependencies was added to dependencies at another major as a clean
  // merge; npm then installed the devDependencies version and the new code did not compile.
  it('package.json: a dependency the new version adds to one section while the user has it in another is a conflict on it, settled either way', () => {
    const ours = withJson(PACKAGE_JSON, (pkg) => (pkg.devDependencies['csv-parse'] = '^5.0.0'));
    const theirs = withJson(PACKAGE_JSON, (pkg) => Object.assign(pkg.dependencies, { '@azure/storage-blob': '12.32.0', 'csv-parse': '6.1.0' }));

    const outcome = mergeFile('package.json', PACKAGE_JSON, ours, theirs);

    expect(outcome).toMatchObject({
      kind: 'conflict',
      reasons: ['dependencies.csv-parse: you have it in devDependencies (^5.0.0), and the new version adds it to dependencies (6.1.0)'],
      conflictingValues: ['dependencies.csv-parse'],
    });
    const { oursWhereConflicting, theirsWhereConflicting } = outcome.kind === 'conflict' ? outcome : {};
    const generated = parse(PACKAGE_JSON);
    expect(parse(oursWhereConflicting!)).toMatchObject({
      dependencies: { ...generated.dependencies, '@azure/storage-blob': '12.32.0' },
      devDependencies: { ...generated.devDependencies, 'csv-parse': '^5.0.0' },
    });
    expect(parse(theirsWhereConflicting!)).toMatchObject({
      dependencies: { ...generated.dependencies, '@azure/storage-blob': '12.32.0', 'csv-parse': '6.1.0' },
      devDependencies: generated.devDependencies,
    });
  });

  it('package.json: a dependency the new version moves to another section, where the user left it, moves cleanly', () => {
    const base = withJson(PACKAGE_JSON, (pkg) => (pkg.dependencies['csv-parse'] = '6.1.0'));
    const ours = base.replace('"Azure Functions app: HTTP API"', '"Orders service"');
    const theirs = withJson(PACKAGE_JSON, (pkg) => (pkg.devDependencies['csv-parse'] = '6.1.0'));
    const result = parse(merged(mergeFile('package.json', base, ours, theirs)));
    expect(result.dependencies['csv-parse']).toBeUndefined();
    expect(result.devDependencies['csv-parse']).toBe('6.1.0');
  });

  // Keeping yours kept the whole file: one conflicting description dropped the new pattern's dependencies.
  const OUR_BUILD = 'tsc -p tsconfig.build.json --incremental';
  const THEIR_BUILD = 'tsc -p tsconfig.build.json && node scripts/copy-assets.mjs';

  it('a JSON conflict also says what keeping yours writes: your values where both changed, every other change merged in', () => {
    const ours = PACKAGE_JSON.replace('"tsc -p tsconfig.build.json",', `"${OUR_BUILD}", // ours`).replace('"test": "vitest run"', '"test": "vitest run",\n    "lint": "eslint ."');
    const theirs = withJson(PACKAGE_JSON, (pkg) => {
      pkg.scripts.build = THEIR_BUILD;
      pkg.dependencies['cron-parser'] = '5.4.0';
    });

    const outcome = mergeFile('package.json', PACKAGE_JSON, ours, theirs);

    expect(outcome).toMatchObject({ kind: 'conflict', conflictingValues: ['scripts.build'] });
    const kept = outcome.kind === 'conflict' ? outcome.oursWhereConflicting! : '';
    expect(kept).toContain(`"build": "${OUR_BUILD}", // ours`);
    expect(parse(kept)).toEqual({ ...parse(theirs), scripts: { ...parse(theirs).scripts, build: OUR_BUILD, lint: 'eslint .' } });
  });

  it('a JSON conflict where every change of the new version conflicts: keeping yours writes your file as it is', () => {
    const ours = PACKAGE_JSON.replace('"tsc -p tsconfig.build.json"', `"${OUR_BUILD}"`);
    const theirs = withJson(PACKAGE_JSON, (pkg) => (pkg.scripts.build = THEIR_BUILD));
    expect(mergeFile('package.json', PACKAGE_JSON, ours, theirs)).toMatchObject({ kind: 'conflict', oursWhereConflicting: ours, conflictingValues: ['scripts.build'] });
  });

  // The generator's description lists the patterns and changes with each add: one the user wrote is theirs to keep.
  it('package.json: a description the user wrote stands, and is no conflict', () => {
    const ours = PACKAGE_JSON.replace('"Azure Functions app: HTTP API"', '"Orders service"');
    const theirs = withJson(PACKAGE_JSON, (pkg) => {
      pkg.description = 'Azure Functions app: HTTP API + Scheduled Tasks';
      pkg.dependencies['cron-parser'] = '5.4.0';
    });
    expect(parse(merged(mergeFile('package.json', PACKAGE_JSON, ours, theirs)))).toEqual({ ...parse(theirs), description: 'Orders service' });
  });

  it('only package.json dependencies settle by version: the same values elsewhere are a conflict', () => {
    const ours = PACKAGE_JSON.replace('"zod": "4.1.12"', '"zod": "4.2.0"');
    const theirs = PACKAGE_JSON.replace('"zod": "4.1.12"', '"zod": "4.1.13"');
    expect(mergeFile('config/versions.json', PACKAGE_JSON, ours, theirs)).toMatchObject({ kind: 'conflict' });
    expect(mergeFile('package.json', PACKAGE_JSON, ours.replace('"build": "tsc -p tsconfig.build.json"', '"build": "tsc"'), theirs.replace('"build": "tsc -p tsconfig.build.json"', '"build": "tsc -b"'))).toMatchObject({
      kind: 'conflict',
      reasons: ['scripts.build: you changed it, and the new version changes it too'],
    });
  });

  it('package.json: a dependency version the user bumped is kept when the new version does not touch it', () => {
    const ours = PACKAGE_JSON.replace('"zod": "4.1.12"', '"zod": "4.2.0"');
    const theirs = withJson(PACKAGE_JSON, (pkg) => (pkg.dependencies['@azure/identity'] = '4.13.1'));
    expect(parse(merged(mergeJson(PACKAGE_JSON, ours, theirs))).dependencies).toEqual({ '@azure/functions': '4.16.5', '@azure/identity': '4.13.1', zod: '4.2.0' });
  });

  it('local.settings.json: the new settings are added, the user values (and tabs) kept', () => {
    const base = '{\n\t"IsEncrypted": false,\n\t"Values": {\n\t\t"AzureWebJobsStorage": "UseDevelopmentStorage=true",\n\t\t"FUNCTIONS_WORKER_RUNTIME": "node"\n\t}\n}\n';
    const ours = base.replace('"node"', '"node",\n\t\t"PAYMENTS_API_KEY": "dev-key"');
    const theirs = withJson(base, (settings) => (settings.Values.ORDERS_QUEUE = 'orders'));

    const result = merged(mergeJson(base, ours, theirs));

    expect(parse(result).Values).toEqual({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', FUNCTIONS_WORKER_RUNTIME: 'node', PAYMENTS_API_KEY: 'dev-key', ORDERS_QUEUE: 'orders' });
    expect(result).toContain('\n\t\t"ORDERS_QUEUE": "orders"');
  });

  it('a setting the new version removes goes, unless the user changed it', () => {
    const base = '{ "a": 1, "b": 2 }';
    expect(parse(merged(mergeJson(base, '{ "a": 1, "b": 2, "mine": true }', '{ "a": 1 }')))).toEqual({ a: 1, mine: true });
    expect(mergeJson(base, '{ "a": 1, "b": 3 }', '{ "a": 1 }')).toMatchObject({ kind: 'conflict' });
  });

  it('key order is not a change: a user who sorted the keys still merges cleanly', () => {
    const base = '{ "b": 1, "a": { "y": 1, "x": 2 } }';
    const ours = '{ "a": { "x": 2, "y": 1 }, "b": 1 }';
    expect(parse(merged(mergeJson(base, ours, '{ "b": 1, "a": { "y": 1, "x": 2, "z": 3 } }')))).toEqual({ a: { x: 2, y: 1, z: 3 }, b: 1 });
  });

  it('a user file that sets a key twice is a conflict: the merge would edit the first, readers take the last', () => {
    const base = '{ "extensions": { "a": 1 } }';
    const theirs = '{ "extensions": { "a": 1, "b": 2 } }';
    expect(mergeJson(base, '{ "extensions": { "a": 1 }, "extensions": { "a": 1, "z": 9 } }', theirs)).toEqual({
      kind: 'conflict',
      reasons: ['extensions: your version sets it twice, so a merge cannot tell which one counts'],
    });
    expect(mergeJson(base, '{ "extensions": { "a": 1, "b": 5, "list": [{ "x": 1, "x": 2 }] }, "extensions": { "a": 1 } }', theirs)).toEqual({
      kind: 'conflict',
      reasons: ['extensions.list.[0].x: your version sets it twice, so a merge cannot tell which one counts', 'extensions: your version sets it twice, so a merge cannot tell which one counts'],
    });
  });

  it('a user file that is not valid JSON is a conflict, not a crash', () => {
    expect(mergeJson('{ "a": 1 }', '{ "a": 1, ', '{ "a": 2 }')).toEqual({ kind: 'conflict', reasons: ['your version is not valid JSON, so it cannot be merged'] });
  });
});

const MAIN_BICEP = `// Generated by create-serverless-app. Patterns: http-api.
targetScope = 'subscription'

param location string

module functionApp 'modules/function-app.bicep' = {
  params: {
    location: location
  }
}

module appSettings 'modules/app-settings.bicep' = {
  params: {
    appSettings: {
      KEY_VAULT_URI: keyVault.outputs.uri
    }
  }
}

output AZURE_LOCATION string = location
`;

describe('mergeText', () => {
  it('main.bicep: the new module and setting are composed in, the resource the user added stays', () => {
    const ours = `${MAIN_BICEP}
// Ours: the reporting team reads this storage account.
resource reporting 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  scope: resourceGroup('reporting')
  name: 'streporting'
}
`;
    const theirs = MAIN_BICEP.replace('Patterns: http-api.', 'Patterns: http-api, event-processing.')
      .replace("\nmodule appSettings", "\nmodule eventProcessing 'modules/event-processing.bicep' = {\n  params: {\n    location: location\n  }\n}\n\nmodule appSettings")
      .replace('      KEY_VAULT_URI: keyVault.outputs.uri\n', '      KEY_VAULT_URI: keyVault.outputs.uri\n      ORDERS_QUEUE: eventProcessing.outputs.queueName\n');

    const result = merged(mergeText(MAIN_BICEP, ours, theirs));

    expect(result).toBe(`${theirs}
// Ours: the reporting team reads this storage account.
resource reporting 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  scope: resourceGroup('reporting')
  name: 'streporting'
}
`);
  });

  // Found by QA: keeping the user's lines where both only added some dropped the new pattern's app setting
  // (its code then failed in Azure), and taking the new ones dropped the user's.
  it('main.bicep: lines both sides added at one place are both kept, the user’s first', () => {
    const ours = MAIN_BICEP.replace('      KEY_VAULT_URI: keyVault.outputs.uri\n', '      KEY_VAULT_URI: keyVault.outputs.uri\n      FEATURE_FLAGS: \'beta\'\n');
    const theirs = MAIN_BICEP.replace('      KEY_VAULT_URI: keyVault.outputs.uri\n', '      KEY_VAULT_URI: keyVault.outputs.uri\n      ORDERS_QUEUE: eventProcessing.outputs.queueName\n');
    expect(merged(mergeText(MAIN_BICEP, ours, theirs))).toBe(
      MAIN_BICEP.replace('      KEY_VAULT_URI: keyVault.outputs.uri\n', '      KEY_VAULT_URI: keyVault.outputs.uri\n      FEATURE_FLAGS: \'beta\'\n      ORDERS_QUEUE: eventProcessing.outputs.queueName\n'),
    );
  });

  // Found by QA: a user who changed `- run: npm test` lost the step the new version adds after it.
  it('a line one side changed, next to lines the other side only added, takes both', () => {
    const base = 'steps:\n  - run: npm ci\n  - run: npm test\n  - run: npm run build\n';
    const ours = base.replace('npm test\n', 'npm test -- --reporter=verbose\n');
    const theirs = base.replace('npm test\n', 'npm test\n  - run: npm run test:slow\n');
    expect(merged(mergeText(base, ours, theirs))).toBe(base.replace('npm test\n', 'npm test -- --reporter=verbose\n  - run: npm run test:slow\n'));
    expect(merged(mergeText(base, theirs, ours))).toBe(base.replace('npm test\n', 'npm test -- --reporter=verbose\n  - run: npm run test:slow\n'));
  });

  it('the same lines changed differently on both sides stay a conflict, which either side settles', () => {
    const ours = MAIN_BICEP.replace('      KEY_VAULT_URI: keyVault.outputs.uri\n', '      KEY_VAULT_URI: \'https://mine.vault.azure.net\'\n');
    const theirs = MAIN_BICEP.replace('      KEY_VAULT_URI: keyVault.outputs.uri\n', '      KEY_VAULT_URI: vault.outputs.uri\n');
    expect(mergeText(MAIN_BICEP, ours, theirs)).toEqual({
      kind: 'conflict',
      reasons: ['line 15: you changed this part, and the new version changes it too'],
      conflictingLines: ['line 15'],
      // As git merge -X ours / -X theirs would: here the conflict is the only change.
      oursWhereConflicting: ours,
      theirsWhereConflicting: theirs,
    });
  });

  it('settles a conflict by lines either way, every change that does not conflict applied', () => {
    const base = 'header v1\nkeep\nmiddle\nkeep\nfooter\n';
    const ours = 'header by me\nkeep\nmiddle\nkeep\nfooter\nmy notes\n';
    const theirs = 'header v2\nkeep\nmiddle plus\nkeep\nfooter\n';
    expect(mergeText(base, ours, theirs)).toMatchObject({
      kind: 'conflict',
      conflictingLines: ['line 1'],
      oursWhereConflicting: 'header by me\nkeep\nmiddle plus\nkeep\nfooter\nmy notes\n',
      theirsWhereConflicting: 'header v2\nkeep\nmiddle plus\nkeep\nfooter\nmy notes\n',
    });
  });

  it('offers no side of a Bicep conflict that would declare a symbol twice: that file is kept or replaced whole', () => {
    // Both add a module named events, in different places: those lines merge cleanly, the header conflicts.
    const base = "// v1\nmodule storage 'storage.bicep' = {}\n\noutput done bool = true\n";
    const ours = "// mine\nmodule storage 'storage.bicep' = {}\n\noutput done bool = true\nmodule events 'mine.bicep' = {}\n";
    const theirs = "// v2\nmodule storage 'storage.bicep' = {}\nmodule events 'events.bicep' = {}\n\noutput done bool = true\n";
    const outcome = mergeFile('infra/main.bicep', base, ours, theirs);
    expect(outcome).toMatchObject({ kind: 'conflict', oursWhereConflicting: undefined, theirsWhereConflicting: undefined });
  });

  it('README.md: the new pattern section is added and the user section kept', () => {
    const base = '# orders\n\n| pattern |\n|---|\n| HTTP API |\n\n## HTTP API\n\nRESTful endpoints.\n\n## Project layout\n\nsrc/functions\n';
    const ours = `${base}\n## On-call\n\nPage the payments team for anything under /api/payments.\n`;
    const theirs = base.replace('| HTTP API |\n', '| HTTP API |\n| Event Processing |\n').replace('## Project layout', '## Event Processing\n\nHandlers.\n\n## Project layout');

    expect(merged(mergeText(base, ours, theirs))).toBe(`${theirs}\n## On-call\n\nPage the payments team for anything under /api/payments.\n`);
  });

  it('a file the user converted to CRLF merges without turning every line into a change', () => {
    const base = 'one\ntwo\nthree\n';
    const ours = 'one\r\ntwo (mine)\r\nthree\r\n';
    expect(merged(mergeText(base, ours, 'one\ntwo\nthree\nfour\n'))).toBe('one\r\ntwo (mine)\r\nthree\r\nfour\r\n');
  });

  it('a file with some CRLF lines (a section pasted on Windows) keeps every line ending as the user had it', () => {
    const base = '# App\n\n## Run\n\nnpm start\n';
    const ours = `${base}\r\n## On-call\r\n\r\nPage payments.\r\n`;
    const theirs = base.replace('## Run', '## Events\n\nQueue: events.\n\n## Run');
    expect(merged(mergeText(base, ours, theirs))).toBe(`${theirs}\r\n## On-call\r\n\r\nPage payments.\r\n`);
  });

  it('mergeFile picks the JSON merge for .json files and the line merge for the rest', () => {
    // As lines these conflict (both change line 1); as JSON they touch different keys.
    expect(mergeFile('x.json', '{ "a": 1, "b": 1 }', '{ "a": 2, "b": 1 }', '{ "a": 1, "b": 2 }')).toEqual({ kind: 'merged', content: '{ "a": 2, "b": 2 }' });
    expect(mergeFile('x.txt', '{ "a": 1, "b": 1 }', '{ "a": 2, "b": 1 }', '{ "a": 1, "b": 2 }')).toMatchObject({ kind: 'conflict' });
  });
});

describe('mergeFile on YAML', () => {
  const base = 'name: shop\nservices:\n  api:\n    host: function\npipeline:\n  variables:\n    - BUDGET_START_DATE\n';
  // As the generator does: a pattern with a deploy hook appends `hooks:` after `pipeline:`.
  const theirs = `${base}hooks:\n  postdeploy:\n    run: ./infra/hooks/postdeploy.sh\n`;

  it('azure.yaml: a clean line merge that leaves two top-level keys of the same name is a conflict, not a file to write', () => {
    const ours = base.replace('pipeline:', 'hooks:\n  predeploy:\n    run: ./scripts/check.sh\npipeline:');
    const outcome = mergeFile('azure.yaml', base, ours, theirs);
    expect(outcome).toEqual({ kind: 'conflict', reasons: [expect.stringMatching(/^the merged lines are not valid YAML \(Map keys must be unique/)] });
  });

  it('azure.yaml: edits elsewhere merge as lines', () => {
    const ours = base.replace('name: shop', 'name: shop # our shop');
    expect(merged(mergeFile('azure.yaml', base, ours, theirs))).toBe(theirs.replace('name: shop', 'name: shop # our shop'));
  });
});

describe('mergeFile on Bicep', () => {
  const theirs = MAIN_BICEP.replace("\nmodule appSettings", "\nmodule eventProcessing 'modules/event-processing.bicep' = {\n  params: {\n    location: location\n  }\n}\n\nmodule appSettings");

  it('main.bicep: a clean line merge that declares the user’s symbol a second time is a conflict, not a file that does not compile', () => {
    const ours = `${MAIN_BICEP}\n// Ours: the payments team's events.\nmodule eventProcessing 'modules/payments-events.bicep' = {\n  params: {\n    location: location\n  }\n}\n`;
    expect(mergeFile('infra/main.bicep', MAIN_BICEP, ours, theirs)).toEqual({ kind: 'conflict', reasons: ['the merged lines declare eventProcessing twice, which Bicep refuses'] });
  });

  // Found by QA: a module the user renamed merged cleanly with new lines that use its old name (BCP057).
  it('main.bicep: a clean line merge that uses a symbol the user’s version no longer declares is a conflict', () => {
    const ours = MAIN_BICEP.replace("module functionApp 'modules/function-app.bicep'", "module app 'modules/function-app.bicep'");
    const uses = theirs.replace('    location: location\n  }\n}\n\nmodule appSettings', '    location: location\n    appName: functionApp.outputs.name\n  }\n}\n\nmodule appSettings');
    expect(uses).not.toBe(theirs);
    expect(mergeFile('infra/main.bicep', MAIN_BICEP, ours, uses)).toEqual({
      kind: 'conflict',
      reasons: ['the merged lines use functionApp, which your version does not declare (renamed?), so Bicep would refuse the file'],
    });
    // A name the user's version already used without declaring it is not the merge's doing.
    expect(mergeFile('infra/main.bicep', MAIN_BICEP, MAIN_BICEP.replace('param location string', 'param location string // ours'), theirs).kind).toBe('merged');
  });

  it('main.bicep: an output may share a name with another symbol, and a user output merges as lines', () => {
    const ours = `${MAIN_BICEP}output eventProcessing string = 'ours'\n`;
    expect(merged(mergeFile('infra/main.bicep', MAIN_BICEP, ours, theirs))).toBe(`${theirs}output eventProcessing string = 'ours'\n`);
  });

  // Found by QA: the union of lines both sides added gave appSettings EVENT_PROCESSING_QUEUE twice (BCP025):
  // add reported a clean merge and `azd up` failed.
  describe('an object given a property twice', () => {
    const LAST_SETTING = '      KEY_VAULT_URI: keyVault.outputs.uri\n';
    const withSetting = theirs.replace(LAST_SETTING, `${LAST_SETTING}      EVENT_PROCESSING_QUEUE: eventProcessing.outputs.queueName\n`);
    /** The user's lines added where the new version adds its setting, so the line merge keeps both. */
    const oursAdding = (lines: string) => MAIN_BICEP.replace(LAST_SETTING, `${LAST_SETTING}${lines}`);

    it('main.bicep: a clean line merge that sets the user’s property a second time is a conflict', () => {
      expect(mergeFile('infra/main.bicep', MAIN_BICEP, oursAdding("      EVENT_PROCESSING_QUEUE: 'x'\n"), withSetting)).toEqual({
        kind: 'conflict',
        reasons: ['the merged lines set EVENT_PROCESSING_QUEUE twice in one object, which Bicep refuses'],
      });
    });

    it('a quoted key, escapes and all, is the same property as the bare name', () => {
      for (const key of ["'EVENT_PROCESSING_QUEUE'", "'EVENT\\u{5F}PROCESSING_QUEUE'"]) {
        expect(mergeFile('infra/main.bicep', MAIN_BICEP, oursAdding(`      ${key}: 'x'\n`), withSetting)).toMatchObject({ kind: 'conflict' });
      }
    });

    it('names differing in case only are two properties, as the Bicep compiler has it', () => {
      expect(mergeFile('infra/main.bicep', MAIN_BICEP, oursAdding("      event_processing_queue: 'x'\n"), withSetting).kind).toBe('merged');
    });

    it('the same key in another object, nested or not, is fine', () => {
      const nested = "      FEATURES: {\n        EVENT_PROCESSING_QUEUE: 'x'\n      }\n      QUEUES: [\n        { EVENT_PROCESSING_QUEUE: 'y' }\n      ]\n";
      expect(mergeFile('infra/main.bicep', MAIN_BICEP, oursAdding(nested), withSetting).kind).toBe('merged');
      const elsewhere = MAIN_BICEP.replace('    location: location\n', "    location: location\n    EVENT_PROCESSING_QUEUE: 'x'\n");
      expect(mergeFile('infra/main.bicep', MAIN_BICEP, elsewhere, withSetting).kind).toBe('merged');
    });

    it('keys in comments and strings are no properties', () => {
      const lines = [
        "      // EVENT_PROCESSING_QUEUE: 'old'",
        "      /* EVENT_PROCESSING_QUEUE: 'older' */",
        "      NOTE: 'it\\'s } EVENT_PROCESSING_QUEUE: x'",
        "      NESTED: '${'}'} EVENT_PROCESSING_QUEUE: y'",
        "      DOC: '''",
        "EVENT_PROCESSING_QUEUE: z",
        "'''",
      ];
      expect(mergeFile('infra/main.bicep', MAIN_BICEP, oursAdding(`${lines.join('\n')}\n`), withSetting).kind).toBe('merged');
    });

    it('a property the user’s version already sets twice is not the merge’s doing', () => {
      const ours = oursAdding("      FEATURE_FLAGS: 'a'\n      FEATURE_FLAGS: 'b'\n");
      expect(mergeFile('infra/main.bicep', MAIN_BICEP, ours, withSetting).kind).toBe('merged');
    });

    it.skipIf(bicepMissing)('refuses exactly the line merges the Bicep compiler refuses with BCP025', async () => {
      const base = "param queueName string\n\noutput settings object = {\n  KEY_VAULT_URI: 'https://example.vault.azure.net'\n}\n";
      const newVersion = base.replace('}\n', '  EVENT_PROCESSING_QUEUE: queueName\n}\n');
      const userLines = {
        bare: "  EVENT_PROCESSING_QUEUE: 'x'\n",
        quoted: "  'EVENT_PROCESSING_QUEUE': 'x'\n",
        escaped: "  'EVENT\\u{5F}PROCESSING_QUEUE': 'x'\n",
        otherCase: "  event_processing_queue: 'x'\n",
        nested: "  FEATURES: {\n    EVENT_PROCESSING_QUEUE: 'x'\n  }\n  QUEUES: [\n    { EVENT_PROCESSING_QUEUE: 'y' }\n  ]\n",
        commentsAndStrings: "  // EVENT_PROCESSING_QUEUE: 'old'\n  NOTE: 'it\\'s } EVENT_PROCESSING_QUEUE: x'\n  DOC: '''\nEVENT_PROCESSING_QUEUE: z\n'''\n",
      };
      const directory = scratchDir('bicep-properties');
      const refused: Record<string, boolean> = {};
      for (const [name, lines] of Object.entries(userLines)) {
        const ours = base.replace('}\n', `${lines}}\n`);
        writeFileSync(join(directory, `${name}.bicep`), merged(mergeText(base, ours, newVersion)));
        refused[name] = mergeFile('infra/main.bicep', base, ours, newVersion).kind === 'conflict';
      }
      const { diagnostics } = await buildBicepPattern(`${directory}/*.bicep`);
      const errors = diagnostics.filter((line) => line.includes(': Error '));
      expect(errors.every((line) => line.includes('BCP025'))).toBe(true);
      const refusedByBicep = Object.fromEntries(Object.keys(userLines).map((name) => [name, errors.some((line) => line.includes(`${name}.bicep`))]));
      expect(refused).toEqual(refusedByBicep);
      expect(refused).toEqual({ bare: true, quoted: true, escaped: true, otherCase: false, nested: false, commentsAndStrings: false });
    });
  });
});

// Found by QA: `func settings encrypt` (Core Tools) encrypts every value and sets IsEncrypted; add merged the new
// pattern's settings in plain text, and func start then refused the whole file ("Failed to decrypt settings").
describe('mergeFile on a local.settings.json that func settings encrypt encrypted', () => {
  const base = '{\n  "IsEncrypted": false,\n  "Values": {\n    "AzureWebJobsStorage": "UseDevelopmentStorage=true",\n    "FUNCTIONS_WORKER_RUNTIME": "node"\n  }\n}\n';
  const encrypted = '{\n  "IsEncrypted": true,\n  "Values": {\n    "AzureWebJobsStorage": "AQAAANCMnd8BFdERjHoAwE==",\n    "FUNCTIONS_WORKER_RUNTIME": "AQAAANCMnd8BFdERjHoAwF=="\n  }\n}\n';
  const theirs = withJson(base, (settings) => {
    settings.Values.SCHEDULED_JOB_RUNS_TABLE = 'JobRuns';
    settings.Values.EMPTY_FOR_NOW = '';
  });

  it('is a conflict on each value the new version adds in plain text, saying how to add it encrypted', () => {
    const outcome = mergeFile('local.settings.json', base, encrypted, theirs);
    expect(outcome).toMatchObject({ kind: 'conflict', conflictingValues: ['Values.SCHEDULED_JOB_RUNS_TABLE'] });
    expect(outcome.kind === 'conflict' && outcome.reasons).toEqual([expect.stringMatching(/encrypted.*func settings add SCHEDULED_JOB_RUNS_TABLE/)]);
  });

  it('keeping yours adds no plain value (an empty one needs no decrypting), taking theirs writes it as asked', () => {
    const outcome = mergeFile('local.settings.json', base, encrypted, theirs);
    if (outcome.kind !== 'conflict') throw new Error('expected a conflict');
    expect(parse(outcome.oursWhereConflicting!).Values).toEqual({ ...parse(encrypted).Values, EMPTY_FOR_NOW: '' });
    expect(parse(outcome.theirsWhereConflicting!).Values).toEqual({ ...parse(encrypted).Values, EMPTY_FOR_NOW: '', SCHEDULED_JOB_RUNS_TABLE: 'JobRuns' });
  });

  it('merges as before when it is not encrypted', () => {
    expect(parse(merged(mergeFile('local.settings.json', base, base.replace('"node"', '"node",\n    "MINE": "x"'), theirs))).Values).toMatchObject({ MINE: 'x', SCHEDULED_JOB_RUNS_TABLE: 'JobRuns' });
  });
});

describe('mergeFile on a file saved with a byte order mark', () => {
  const BOM = '\uFEFF';

  it('host.json and main.bicep merge as without it, and keep it in front', () => {
    const host = withJson(HOST_JSON, (value) => (value.extensions = { queues: { batchSize: 16 } }));
    expect(merged(mergeFile('host.json', HOST_JSON, `${BOM}${HOST_JSON}`, host))).toBe(`${BOM}${host}`);
    const bicep = MAIN_BICEP.replace('Patterns: http-api.', 'Patterns: http-api, event-processing.');
    expect(merged(mergeFile('infra/main.bicep', MAIN_BICEP, `${BOM}${MAIN_BICEP}`, bicep))).toBe(`${BOM}${bicep}`);
  });

  it('a JSON conflict keeps it in front of what keeping yours and taking theirs write', () => {
    const base = withJson(HOST_JSON, (value) => (value.extensions = { queues: { batchSize: 16 } }));
    const theirs = withJson(base, (value) => (value.extensions.queues.batchSize = 32));
    const outcome = mergeFile('host.json', base, `${BOM}${base.replace('"batchSize": 16', '"batchSize": 8')}`, theirs);
    expect(outcome).toMatchObject({ kind: 'conflict', oursWhereConflicting: expect.stringMatching(/^\uFEFF\{/), theirsWhereConflicting: expect.stringMatching(/^\uFEFF\{/) });
  });
});

describe('planFileUpdates', () => {
  const plan = (files: Record<string, { base?: string; ours?: string; theirs: string; recorded?: string }>) =>
    Object.fromEntries(
      planFileUpdates({
        base: new Map(Object.entries(files).flatMap(([path, f]) => (f.base === undefined ? [] : [[path, f.base]]))),
        ours: new Map(Object.entries(files).flatMap(([path, f]) => (f.ours === undefined ? [] : [[path, f.ours]]))),
        theirs: new Map(Object.entries(files).map(([path, f]) => [path, f.theirs])),
        recorded: Object.fromEntries(Object.entries(files).flatMap(([path, f]) => (f.recorded === undefined ? [] : [[path, sha256(f.recorded)]]))),
      }).map((file) => [file.path, file]),
    );

  it('creates new files, updates untouched ones, merges edited ones and leaves the rest', () => {
    const files = plan({
      'new.ts': { theirs: 'new' },
      'untouched.md': { base: 'a\n', ours: 'a\n', recorded: 'a\n', theirs: 'a\nb\n' },
      'edited.md': { base: 'a\nb\nc\n', ours: 'A\nb\nc\n', recorded: 'a\nb\nc\n', theirs: 'a\nb\nc\nd\n' },
      'edited-elsewhere.ts': { base: 'x', ours: 'mine', recorded: 'x', theirs: 'x' },
      'same.ts': { base: 'x', ours: 'x', recorded: 'x', theirs: 'x' },
    });
    expect(files['new.ts']).toMatchObject({ action: 'create', content: 'new' });
    expect(files['untouched.md']).toMatchObject({ action: 'update', content: 'a\nb\n', current: 'a\n' });
    expect(files['edited.md']).toMatchObject({ action: 'merge', content: 'A\nb\nc\nd\n' });
    expect(files['edited-elsewhere.ts']).toMatchObject({ action: 'unchanged', note: expect.stringContaining('edited by you') });
    expect(files['same.ts']).toMatchObject({ action: 'unchanged' });
  });

  it('an edit that overlaps the new version, and a file of the user in the way, are conflicts', () => {
    const files = plan({
      'edited.md': { base: 'a\n', ours: 'mine\n', recorded: 'a\n', theirs: 'theirs\n' },
      'users-own.ts': { ours: 'mine', theirs: 'ours' },
    });
    expect(files['edited.md']).toMatchObject({ action: 'conflict', reasons: ['line 1: you changed this part, and the new version changes it too'] });
    expect(files['users-own.ts']).toMatchObject({ action: 'conflict', reasons: ['a file that create-serverless-app did not generate is in the way'] });
  });

  it('a generated file the user deleted stays deleted; one the new version changes is a conflict, not written again unasked', () => {
    const files = plan({
      'deleted.ts': { base: 'x', recorded: 'x', theirs: 'x' },
      'deleted-but-changed.json': { base: '{}', recorded: '{}', theirs: '{ "a": 1 }' },
    });
    expect(files['deleted.ts']).toMatchObject({ action: 'keep-deleted' });
    expect(files['deleted-but-changed.json']).toMatchObject({ action: 'conflict', reasons: ['you deleted it, and the new version changes it'] });
    expect(files['deleted-but-changed.json']!.content).toBeUndefined();
  });
});
