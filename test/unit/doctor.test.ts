import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { diagnoseProject, formatReport, type DoctorReport } from '../../src/commands/doctor.js';
import { UserError } from '../../src/exit-codes.js';
import { globToRegExp } from '../../src/doctor/checks.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { PATTERN_IDS } from '../../src/patterns/types.js';
import { scratchDir } from '../support/generated-app.js';
import { defaultPlan } from '../support/subsets.js';

// Each fixture is a freshly generated app (every pattern, rendered in memory and written to a temp folder, with
// the lockfile an npm app gets) with exactly one thing broken; doctor must name that one check and nothing else.

const parent = scratchDir('doctor');
let dir: string;
let counter = 0;

function generate(): string {
  const target = join(parent, `app-${counter++}`);
  const tree = renderPlan(defaultPlan(PATTERN_IDS, target), { packageManager: 'npm' });
  for (const path of tree.paths) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), readTree(tree, path));
  }
  return target;
}

const read = (path: string) => readFileSync(join(dir, path), 'utf8');
const write = (path: string, content: string) => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
};
const editJson = (path: string, edit: (value: Record<string, any>) => void) => {
  const value = JSON.parse(read(path)) as Record<string, any>;
  edit(value);
  write(path, JSON.stringify(value, null, 2));
};

/** Checks that reported an error, with their findings' files. */
function errors(report: DoctorReport): Record<string, (string | undefined)[]> {
  return Object.fromEntries(
    report.checks.filter((check) => check.status === 'error').map((check) => [check.id, check.findings.filter((f) => f.severity === 'error').map((f) => f.file)]),
  );
}

beforeEach(() => {
  dir = generate();
});

describe('doctor', () => {
  it('finds no error in a freshly generated app', () => {
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({});
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'manifest-drift')!.status).toBe('ok');
  });

  it('main-glob: a "main" that misses the compiled functions', () => {
    editJson('package.json', (pkg) => (pkg.main = 'dist/functions/*.js'));
    const report = diagnoseProject(dir);
    expect(Object.keys(errors(report))).toEqual(['main-glob']);
    expect(report.checks[0]!.findings[0]!.message).toContain('dist/src/functions/health.js is not matched');
  });

  it('main-glob: a "main" that is not a string is reported, not thrown', () => {
    editJson('package.json', (pkg) => (pkg.main = ['dist/src/functions/*.js']));
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({ 'main-glob': ['package.json'] });
    expect(report.checks[0]!.findings[0]!.message).toBe('package.json "main" is ["dist/src/functions/*.js"], not a string: the Functions host reads it as one path or glob.');
  });

  it('local-settings: local.settings.json missing', () => {
    rmSync(join(dir, 'local.settings.json'));
    const finding = diagnoseProject(dir).checks.find((c) => c.id === 'local-settings')!.findings[0]!;
    expect(errors(diagnoseProject(dir))).toEqual({ 'local-settings': ['local.settings.json'] });
    expect(finding.fix).toContain('cp local.settings.example.json local.settings.json');
  });

  it('local-settings: no host storage and no worker runtime', () => {
    editJson('local.settings.json', (settings) => (settings.Values = {}));
    const check = diagnoseProject(dir).checks.find((c) => c.id === 'local-settings')!;
    expect(check.findings.map((f) => f.message.split(' ')[0])).toEqual(['AzureWebJobsStorage', 'FUNCTIONS_WORKER_RUNTIME']);
    expect(errors(diagnoseProject(dir))).toEqual({ 'local-settings': ['local.settings.json', 'local.settings.json'] });
  });

  it('local-settings: an empty AzureWebJobsStorage is a missing one', () => {
    // Core Tools stops with "Missing value for AzureWebJobsStorage in local.settings.json".
    editJson('local.settings.json', (settings) => (settings.Values.AzureWebJobsStorage = ''));
    expect(errors(diagnoseProject(dir))).toEqual({ 'local-settings': ['local.settings.json'] });
    editJson('local.settings.json', (settings) => {
      delete settings.Values.AzureWebJobsStorage;
      settings.Values.AzureWebJobsStorage__accountName = ' ';
    });
    expect(errors(diagnoseProject(dir))).toEqual({ 'local-settings': ['local.settings.json'] });
    editJson('local.settings.json', (settings) => (settings.Values.AzureWebJobsStorage__accountName = 'devstore'));
    expect(errors(diagnoseProject(dir))).toEqual({});
  });

  // Found by QA: after `func settings encrypt` every value is ciphertext, and doctor took the worker runtime's for a wrong one.
  it('local-settings: a file func settings encrypt encrypted is checked for the settings it has, not for their values', () => {
    editJson('local.settings.json', (settings) => {
      settings.IsEncrypted = true;
      settings.Values = { AzureWebJobsStorage: 'AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA', FUNCTIONS_WORKER_RUNTIME: 'AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAB' };
    });
    expect(errors(diagnoseProject(dir))).toEqual({});
    editJson('local.settings.json', (settings) => delete settings.Values.FUNCTIONS_WORKER_RUNTIME);
    expect(errors(diagnoseProject(dir))).toEqual({ 'local-settings': ['local.settings.json'] });
    expect(diagnoseProject(dir).checks.find((c) => c.id === 'local-settings')!.findings[0]!.fix).toContain('func settings add FUNCTIONS_WORKER_RUNTIME node');
  });

  it('extension-bundle: a 3.x bundle range', () => {
    editJson('host.json', (host) => (host.extensionBundle.version = '[3.*, 4.0.0)'));
    expect(errors(diagnoseProject(dir))).toEqual({ 'extension-bundle': ['host.json'] });
  });

  // A bundle version is a NuGet range: "[4.*, 5.0.0)" is 4.x, a bare "4.10.0" means "4.10.0 or later".
  it.each(['[4.*, 5.0.0)', '4.*', '4.10.0', '[4.0.0, 5.0.0)'])('extension-bundle: "%s" allows 4.x bundles only', (version) => {
    editJson('host.json', (host) => (host.extensionBundle.version = version));
    expect(diagnoseProject(dir).checks.find((check) => check.id === 'extension-bundle')!.findings).toEqual([]);
  });

  it.each([
    ['[3.*, 4.0.0)', 'error', 'extensionBundle.version "[3.*, 4.0.0)" allows only bundles older than 4.x, which lack the triggers the Node.js v4 programming model uses.'],
    ['[3.*, 5.0.0)', 'error', 'extensionBundle.version "[3.*, 5.0.0)" allows bundles older than 4.x, which lack the triggers the Node.js v4 programming model uses.'],
    ['[5.*, 6.0.0)', 'warning', 'extensionBundle.version "[5.*, 6.0.0)" excludes every 4.x bundle, the major version this app\'s triggers and bindings are written and tested for; the host fails to start if no bundle in the range exists.'],
    ['latest', 'error', 'extensionBundle.version "latest" is not a version range the Functions host can read.'],
    [4, 'error', 'extensionBundle.version 4 is not a version range the Functions host can read.'],
  ])('extension-bundle: "%s" is reported (%s)', (version, severity, message) => {
    editJson('host.json', (host) => (host.extensionBundle.version = version));
    expect(diagnoseProject(dir).checks.find((check) => check.id === 'extension-bundle')!.findings).toEqual([expect.objectContaining({ severity, file: 'host.json', message })]);
  });

  it('extension-bundle: malformed host.json is reported, not thrown', () => {
    write('host.json', '{ "version": "2.0", }');
    const report = diagnoseProject(dir);
    expect(errors(report)['extension-bundle']).toEqual(['host.json']);
    expect(report.checks.find((check) => check.id === 'extension-bundle')!.findings[0]!.message).toMatch(/host.json is not valid JSON: \w+ on line 1/);
  });

  // Found by review: one package.json with a syntax error was "3 problems", the same error and fix under three checks.
  it('reports a file no check can use once, under the first check that needs it; the others are skipped, saying why', () => {
    write('package.json', '{ "name": "orders", \n');
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({ 'main-glob': ['package.json'] });
    expect(report.errors).toBe(1);
    const skipped = 'needs package.json, which main-glob reports unusable above';
    for (const id of ['lockfile-sync', 'node-version']) {
      expect(report.checks.find((check) => check.id === id)).toMatchObject({ status: 'skipped', skipped, findings: [] });
    }
  });

  // `null` in host.json was reported as "host.json is missing", a list in package.json as one with no "main".
  it('a JSON file that holds no object (null, a list) is reported as that, not as missing or empty', () => {
    write('host.json', 'null\n');
    write('package.json', '[]\n');
    const report = diagnoseProject(dir);
    const message = (id: string) => report.checks.find((check) => check.id === id)!.findings[0]!.message;
    expect(message('extension-bundle')).toBe('host.json holds null, not a JSON object.');
    expect(message('main-glob')).toBe('package.json holds a list, not a JSON object.');
  });

  it('accepts comments in host.json and local.settings.json, which the host reads and add keeps', () => {
    write('host.json', read('host.json').replace('{', '{\n  // tuned for the nightly batch'));
    write('local.settings.json', read('local.settings.json').replace('{', '{ /* see README */'));
    expect(errors(diagnoseProject(dir))).toEqual({});
  });

  it('run-on-startup: a timer with runOnStartup: true, with its line', () => {
    write('src/functions/nightly.ts', "import { app } from '@azure/functions';\n\napp.timer('nightly', {\n  schedule: '0 0 2 * * *',\n  runOnStartup: true,\n  handler: () => undefined,\n});\n");
    expect(errors(diagnoseProject(dir))).toEqual({ 'run-on-startup': ['src/functions/nightly.ts:5'] });
  });

  it('identity-connections: a storage key in local settings and listKeys in infra', () => {
    editJson('local.settings.json', (settings) => (settings.Values.ORDERS = 'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net'));
    write('infra/modules/extra.bicep', "param name string\nresource st 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {\n  name: name\n}\nvar key = st.listKeys().keys[0].value\n");
    expect(errors(diagnoseProject(dir))).toEqual({ 'identity-connections': ['infra/modules/extra.bicep:5', 'local.settings.json'] });
  });

  it('identity-connections: a function host key for an Event Grid webhook is not a connection key', () => {
    // The generated data-processing hook reads the blobs extension key this way; it has no identity-based form.
    expect(read('infra/hooks/data-processing-event-grid.bicep')).toContain("listKeys('${functionApp.id}/host/default'");
    expect(errors(diagnoseProject(dir))).toEqual({});
  });

  it('identity-connections: Azurite development storage is fine', () => {
    editJson('local.settings.json', (settings) => (settings.Values.ORDERS = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqF==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;'));
    expect(errors(diagnoseProject(dir))).toEqual({});
  });

  it('flex-settings: a setting Flex Consumption refuses, in code but not in a comment', () => {
    const main = read('infra/main.bicep');
    write('infra/main.bicep', main.replace("      KEY_VAULT_URI:", "      // FUNCTIONS_EXTENSION_VERSION is not needed on Flex\n      WEBSITE_RUN_FROM_PACKAGE: '1'\n      KEY_VAULT_URI:"));
    const line = read('infra/main.bicep').split('\n').findIndex((l) => l.includes('WEBSITE_RUN_FROM_PACKAGE')) + 1;
    expect(errors(diagnoseProject(dir))).toEqual({ 'flex-settings': [`infra/main.bicep:${line}`] });
  });

  // Found by QA: TZ is named in shared/reference/azure.md with WEBSITE_TIME_ZONE, and the runtime version and linuxFxVersion
  // are Flex Consumption's deprecations (the runtime comes from functionAppConfig.runtime); doctor knew none of them.
  it.each([["TZ: 'Europe/Berlin'"], ["FUNCTIONS_WORKER_RUNTIME_VERSION: '22'"], ["linuxFxVersion: 'Node|22'"]])('flex-settings: %s is reported', (setting) => {
    write('infra/main.bicep', read('infra/main.bicep').replace('      KEY_VAULT_URI:', `      ${setting}\n      KEY_VAULT_URI:`));
    const line = read('infra/main.bicep').split('\n').findIndex((l) => l.includes(setting)) + 1;
    expect(errors(diagnoseProject(dir))).toEqual({ 'flex-settings': [`infra/main.bicep:${line}`] });
  });

  it('manifest-drift: an edited and a deleted generated file are warnings, not errors', () => {
    write('README.md', `${read('README.md')}\nOur notes.\n`);
    rmSync(join(dir, 'test/health.test.ts'));
    const report = diagnoseProject(dir);
    const drift = report.checks.find((c) => c.id === 'manifest-drift')!;
    expect(drift.status).toBe('warning');
    expect(drift.findings.map((f) => f.file).sort()).toEqual(['README.md', 'test/health.test.ts']);
    expect(report.ok).toBe(true);
  });

  it('manifest-drift: the fix for an edited file says how add treats it (merges, asks when both changed the same lines)', () => {
    write('README.md', `${read('README.md')}\nOur notes.\n`);
    const [finding] = diagnoseProject(dir).checks.find((c) => c.id === 'manifest-drift')!.findings;
    expect(finding!.fix).toBe('Expected after your own edits: `add` merges its changes into yours, and asks (or follows --conflict) where both changed the same lines. Review with `git diff` if unintended.');
  });

  // add --conflict new writes the new version beside the user's file: until it is merged, the app is half-wired.
  // A team records a file of its own by hand, with the hash its tools print: PowerShell's Get-FileHash prints upper case.
  it('manifest-drift: checks a file recorded by hand with its sha256 in upper case, as in lower case', () => {
    write('src/vendored.ts', 'export const vendored = true;\n');
    const hash = createHash('sha256').update('export const vendored = true;\n').digest('hex').toUpperCase();
    editJson('.create-serverless-app.json', (manifest) => (manifest.files['src/vendored.ts'] = hash));
    expect(diagnoseProject(dir).checks.find((c) => c.id === 'manifest-drift')).toMatchObject({ status: 'ok', findings: [] });
    write('src/vendored.ts', 'export const vendored = false;\n');
    expect(diagnoseProject(dir).checks.find((c) => c.id === 'manifest-drift')!.findings).toEqual([expect.objectContaining({ severity: 'warning', file: 'src/vendored.ts' })]);
  });

  it('pending-merges: a <file>.new beside a generated file is an error; one beside a file of your own is not', () => {
    write('infra/main.bicep.new', read('infra/main.bicep'));
    write('package.json.new', read('package.json'));
    write('local.settings.json.new', read('local.settings.json'));
    write('notes.md.new', 'beside no generated file');
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({ 'pending-merges': ['infra/main.bicep.new', 'local.settings.json.new', 'package.json.new'] });
    expect(report.checks.find((c) => c.id === 'pending-merges')!.findings[0]).toEqual({
      severity: 'error',
      file: 'infra/main.bicep.new',
      message: 'infra/main.bicep.new is a newer version `add` left beside infra/main.bicep: until it is merged, the app is half-wired.',
      fix: 'Merge infra/main.bicep.new into infra/main.bicep, then delete infra/main.bicep.new.',
    });
  });

  // Found by review: beside a file the user deleted, doctor said to merge the new version into that missing file.
  it('pending-merges: a <file>.new of a file you deleted says to take it or delete it, as add did when it wrote it', () => {
    write('README.md.new', read('README.md'));
    rmSync(join(dir, 'README.md'));
    expect(diagnoseProject(dir).checks.find((c) => c.id === 'pending-merges')!.findings).toEqual([
      {
        severity: 'error',
        file: 'README.md.new',
        message: 'README.md.new is the new version `add` wrote of README.md, which you deleted: until you decide, the app may be half-wired.',
        fix: 'Rename README.md.new to README.md to take it, or delete README.md.new.',
      },
    ]);
  });

  it('pending-merges: without a readable manifest the check is skipped, and only manifest-drift reports the manifest', () => {
    write('.create-serverless-app.json', '{ "files": ');
    const report = diagnoseProject(dir);
    expect(report.checks.find((c) => c.id === 'pending-merges')).toMatchObject({ status: 'skipped', skipped: 'the project has no readable .create-serverless-app.json, which lists the generated files' });
    expect(Object.keys(errors(report))).toEqual(['manifest-drift']);
  });

  it('reads JSON files an editor saved with a byte order mark, as the Functions host and add do', () => {
    for (const path of ['host.json', '.create-serverless-app.json']) write(path, `\uFEFF${read(path)}`);
    expect(errors(diagnoseProject(dir))).toEqual({});
  });

  it('manifest-drift: local.settings.json edits are expected', () => {
    editJson('local.settings.json', (settings) => (settings.Values.MY_SETTING = 'x'));
    expect(diagnoseProject(dir).checks.find((c) => c.id === 'manifest-drift')!.findings).toEqual([]);
  });

  it('manifest-drift: a recorded path outside the project is reported as damage, never read', () => {
    const outside = join(parent, 'outside.txt');
    writeFileSync(outside, 'not part of the app');
    editJson('.create-serverless-app.json', (manifest) => {
      manifest.files['../outside.txt'] = '0'.repeat(64);
      manifest.files[outside] = '0'.repeat(64);
    });
    const drift = diagnoseProject(dir).checks.find((c) => c.id === 'manifest-drift')!;
    expect(drift.status).toBe('error');
    expect(drift.findings.map((f) => [f.severity, f.file])).toEqual([
      ['error', '../outside.txt'],
      ['error', outside],
    ]);
    expect(drift.findings[0]!.message).toBe('.create-serverless-app.json records ../outside.txt, a path outside the project: the manifest is damaged.');
  });

  // Found by QA: add refused these manifests as damaged, and doctor passed them.
  it.each([
    ['a comment', (text: string) => text.replace('{', '{\n  // owned by payments'), 'it holds a comment, which JSON does not allow (keys of your own belong at the top level, which add keeps: a "$comment")'],
    ['a key inside generator', (text: string) => text.replace('"version"', '"owner": "payments",\n    "version"'), 'unknown key generator.owner (keys of your own belong at the top level, which add keeps)'],
    ['a key inside files', (text: string) => text.replace('"files": {', '"files": {\n    "$comment": "hashes",'), 'files.$comment is not a file hash (keys of your own belong at the top level, which add keeps)'],
    ['no answers', (text: string) => text.replace('"answers"', '"answerz"'), 'no recorded answers (name, location, patterns)'],
  ])('manifest-drift: a manifest add refuses as damaged (%s) is an error, named as add names it', (_, damage, why) => {
    write('.create-serverless-app.json', damage(read('.create-serverless-app.json')));
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({ 'manifest-drift': ['.create-serverless-app.json'] });
    expect(report.checks.find((c) => c.id === 'manifest-drift')!.findings).toEqual([
      {
        severity: 'error',
        file: '.create-serverless-app.json',
        message: `.create-serverless-app.json is damaged: ${why}; \`add\` refuses it.`,
        fix: 'Restore it from version control (git checkout -- .create-serverless-app.json).',
      },
    ]);
  });

  it('manifest-drift: recorded answers edited by hand are an error, for add refuses them; a re-indented manifest is not', () => {
    editJson('.create-serverless-app.json', (manifest) => (manifest.answers.patterns['http-api'].resources = ['orders']));
    const drift = diagnoseProject(dir).checks.find((c) => c.id === 'manifest-drift')!;
    expect(drift.status).toBe('error');
    expect(drift.findings).toEqual([
      {
        severity: 'error',
        file: '.create-serverless-app.json',
        message: '.create-serverless-app.json: its recorded answers were edited by hand (they no longer match answersSha256), so `add` refuses to merge into this project.',
        fix: 'Restore it from version control (git checkout -- .create-serverless-app.json).',
      },
    ]);

    editJson('.create-serverless-app.json', (manifest) => (manifest.answers.patterns['http-api'].resources = ['items']));
    write('.create-serverless-app.json', JSON.stringify(JSON.parse(read('.create-serverless-app.json')), null, 4));
    expect(diagnoseProject(dir).checks.find((c) => c.id === 'manifest-drift')!.findings).toEqual([]);
  });

  it('a folder where a checked file should be is that check\'s error, not a crash', () => {
    rmSync(join(dir, 'README.md'));
    mkdirSync(join(dir, 'README.md'));
    rmSync(join(dir, 'local.settings.json'));
    mkdirSync(join(dir, 'local.settings.json'));
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({ 'local-settings': ['local.settings.json'], 'manifest-drift': ['README.md'] });
    expect(report.checks.find((c) => c.id === 'identity-connections')).toMatchObject({ status: 'skipped', skipped: 'needs local.settings.json, which local-settings reports unusable above' });
    const finding = report.checks.find((c) => c.id === 'manifest-drift')!.findings.find((f) => f.severity === 'error')!;
    expect(finding.message).toBe('README.md cannot be read: it is a folder.');
  });

  it('node-version: engines that exclude the Azure runtime', () => {
    editJson('package.json', (pkg) => (pkg.engines = { node: '>=20 <22' }));
    expect(errors(diagnoseProject(dir))).toEqual({ 'node-version': ['package.json'] });
  });

  it.each(['20 - 22', '>22.1', '>=20.19 <23', '^20.19 || ^22.12'])('node-version: engines "%s" admit Node.js 22', (range) => {
    editJson('package.json', (pkg) => (pkg.engines = { node: range }));
    expect(errors(diagnoseProject(dir))).toEqual({});
  });

  it('node-version: an engines.node that is a number is read as a range, not thrown', () => {
    editJson('package.json', (pkg) => (pkg.engines = { node: 22 }));
    expect(errors(diagnoseProject(dir))).toEqual({});
    editJson('package.json', (pkg) => (pkg.engines = { node: 20 }));
    expect(errors(diagnoseProject(dir))).toEqual({ 'node-version': ['package.json'] });
  });

  // Azure runs the newest 22.x: a range that stops within 22 shuts the app out too.
  it.each(['20 - 21', '>22', '<22', '>=20 <22.5', '~22.1'])('node-version: engines "%s" exclude Node.js 22', (range) => {
    editJson('package.json', (pkg) => (pkg.engines = { node: range }));
    expect(errors(diagnoseProject(dir))).toEqual({ 'node-version': ['package.json'] });
  });

  it.each([['"20"', '20'], ['["node >=20"]', ['node >=20']]])('node-version: an "engines" that is %s, not an object, is a warning, not passed over', (shown, engines) => {
    editJson('package.json', (pkg) => (pkg.engines = engines));
    const findings = diagnoseProject(dir).checks.find((check) => check.id === 'node-version')!.findings.filter((finding) => finding.file === 'package.json');
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', message: `package.json "engines" is ${shown}, not an object: npm reads no Node.js version from it, so nothing checks it.` })]);
  });

  it('node-version: an engines.node npm cannot read is a warning, not a claim that it excludes Node.js 22', () => {
    editJson('package.json', (pkg) => (pkg.engines = { node: 'node twenty-two' }));
    const findings = diagnoseProject(dir).checks.find((check) => check.id === 'node-version')!.findings.filter((finding) => finding.file === 'package.json');
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', message: 'engines.node "node twenty-two" is not a version range npm understands.' })]);
  });

  // add --no-install (or a hand edit) leaves the lockfile behind package.json: the workflow's npm ci then fails.
  it('lockfile-sync: a dependency added, bumped or removed in package.json but not in package-lock.json', () => {
    editJson('package.json', (pkg) => {
      pkg.dependencies['date-fns'] = '4.1.0';
      pkg.dependencies.zod = '4.2.0';
      delete pkg.devDependencies.rimraf;
    });
    expect(errors(diagnoseProject(dir))).toEqual({ 'lockfile-sync': ['package-lock.json'] });
    const [finding] = diagnoseProject(dir).checks.find((check) => check.id === 'lockfile-sync')!.findings;
    expect(finding!.message).toBe('package-lock.json does not match package.json: zod 4.2.0 (locked: 4.1.12), date-fns 4.1.0 (locked: none), rimraf (removed) (locked: 6.1.2). npm ci, the CI workflow\'s install, refuses it.');
  });

  // npm ci also refuses a lockfile whose root entry matches package.json but whose packages do not.
  it('lockfile-sync: a locked direct dependency that is missing or does not satisfy package.json', () => {
    editJson('package-lock.json', (lock) => {
      lock.packages['node_modules/@azure/functions'].version = '4.0.0';
      delete lock.packages['node_modules/zod'];
    });
    expect(errors(diagnoseProject(dir))).toEqual({ 'lockfile-sync': ['package-lock.json'] });
    const [finding] = diagnoseProject(dir).checks.find((check) => check.id === 'lockfile-sync')!.findings;
    expect(finding!.message).toBe('package-lock.json does not match package.json: @azure/functions 4.16.5 (locked: 4.0.0), zod 4.1.12 (locked: none). npm ci, the CI workflow\'s install, refuses it.');
    expect(finding!.fix).toContain('npm install');
  });

  it('lockfile-sync: a locked version within a package.json range passes; git, file: and tag specs are not checked', () => {
    const both = (edit: (deps: Record<string, string>) => void) => {
      editJson('package.json', (pkg) => edit(pkg.dependencies));
      editJson('package-lock.json', (lock) => edit(lock.packages[''].dependencies));
    };
    both((deps) => {
      deps['@azure/functions'] = '^4.10.0';
      deps['from-git'] = 'github:example/from-git#v1';
      deps['from-disk'] = 'file:../from-disk';
      deps['tagged'] = 'latest';
    });
    expect(errors(diagnoseProject(dir))).toEqual({});
    both((deps) => (deps['@azure/functions'] = '^4.17.0'));
    expect(errors(diagnoseProject(dir))).toEqual({ 'lockfile-sync': ['package-lock.json'] });
  });

  it('lockfile-sync: optional and peer dependencies count like the others; an optional peer may be left uninstalled', () => {
    editJson('package.json', (pkg) => {
      pkg.optionalDependencies = { 'date-fns': '4.1.0', fsevents: '2.3.3' };
      pkg.peerDependencies = { zod: '^4.1.0', 'left-out': '^1.0.0' };
      pkg.peerDependenciesMeta = { 'left-out': { optional: true } };
    });
    editJson('package-lock.json', (lock) => {
      Object.assign(lock.packages[''], { optionalDependencies: { 'date-fns': '4.0.0', fsevents: '2.3.3' }, peerDependencies: { zod: '^4.1.0', 'left-out': '^1.0.0' } });
      // npm locks a platform's optional packages on every platform: fsevents is installed only on macOS.
      lock.packages['node_modules/fsevents'] = { version: '2.3.3', optional: true, os: ['darwin'] };
    });
    const findings = () => diagnoseProject(dir).checks.find((check) => check.id === 'lockfile-sync')!.findings;
    expect(findings()[0]!.message).toBe('package-lock.json does not match package.json: date-fns 4.1.0 (locked: 4.0.0). npm ci, the CI workflow\'s install, refuses it.');
    editJson('package-lock.json', (lock) => (lock.packages[''].optionalDependencies['date-fns'] = '4.1.0'));
    editJson('package.json', (pkg) => (pkg.peerDependencies.zod = '^4.2.0'));
    editJson('package-lock.json', (lock) => (lock.packages[''].peerDependencies.zod = '^4.2.0'));
    expect(findings()[0]!.message).toBe('package-lock.json does not match package.json: date-fns 4.1.0 (locked: none), zod ^4.2.0 (locked: 4.1.12). npm ci, the CI workflow\'s install, refuses it.');
    editJson('package.json', (pkg) => (pkg.peerDependencies.zod = '^4.1.0'));
    editJson('package-lock.json', (lock) => {
      lock.packages[''].peerDependencies.zod = '^4.1.0';
      lock.packages['node_modules/date-fns'] = { version: '4.1.0', optional: true };
    });
    expect(findings()).toEqual([]);
  });

  // npm reads npm-shrinkwrap.json instead of package-lock.json when a project has both.
  it('lockfile-sync: reads npm-shrinkwrap.json, which npm prefers to package-lock.json', () => {
    write('npm-shrinkwrap.json', read('package-lock.json'));
    editJson('package.json', (pkg) => (pkg.dependencies['date-fns'] = '4.1.0'));
    editJson('package-lock.json', (lock) => (lock.packages[''].dependencies['date-fns'] = '4.1.0'));
    expect(errors(diagnoseProject(dir))).toEqual({ 'lockfile-sync': ['npm-shrinkwrap.json'] });
    const [finding] = diagnoseProject(dir).checks.find((check) => check.id === 'lockfile-sync')!.findings;
    expect(finding!.message).toBe('npm-shrinkwrap.json does not match package.json: date-fns 4.1.0 (locked: none). npm ci, the CI workflow\'s install, refuses it.');
    expect(finding!.fix).toBe('Run npm install, then commit npm-shrinkwrap.json with package.json.');
    rmSync(join(dir, 'package-lock.json'));
    editJson('npm-shrinkwrap.json', (lock) => (lock.packages[''].dependencies['date-fns'] = '4.1.0'));
    editJson('npm-shrinkwrap.json', (lock) => (lock.packages['node_modules/date-fns'] = { version: '4.1.0' }));
    expect(errors(diagnoseProject(dir))).toEqual({});
  });

  it.each([
    ['pnpm-lock.yaml', 'the project has pnpm-lock.yaml, not package-lock.json, and doctor reads only npm\'s lockfile'],
    ['yarn.lock', 'the project has yarn.lock, not package-lock.json, and doctor reads only npm\'s lockfile'],
    ['bun.lock', 'the project has bun.lock, not package-lock.json, and doctor reads only npm\'s lockfile'],
    ['bun.lockb', 'the project has bun.lockb, not package-lock.json, and doctor reads only npm\'s lockfile'],
    ['no lockfile', 'the project has no lockfile yet (npm install writes package-lock.json)'],
  ])('lockfile-sync: with %s instead of package-lock.json the check is skipped, not passed', (lockfile, reason) => {
    rmSync(join(dir, 'package-lock.json'));
    if (lockfile !== 'no lockfile') write(lockfile, 'lockfileVersion: 9.0\n');
    editJson('package.json', (pkg) => (pkg.dependencies['date-fns'] = '4.1.0'));
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({});
    expect(report.checks.find((check) => check.id === 'lockfile-sync')).toMatchObject({ status: 'skipped', skipped: reason, findings: [] });
    expect(formatReport(report)).toContain(`- npm's lockfile matches package.json (skipped: ${reason})`);
  });

  it.each([
    ['pnpm', 'the project has no lockfile yet (pnpm install writes pnpm-lock.yaml)'],
    ['yarn', 'the project has no lockfile yet (yarn install writes yarn.lock)'],
    ['bun', 'the project has no lockfile yet (bun install writes bun.lock)'],
    ['npm', 'the project has no lockfile yet (npm install writes package-lock.json)'],
  ])('lockfile-sync: in a %s app with no lockfile yet, the skip names its own package manager and lockfile', (packageManager, reason) => {
    rmSync(join(dir, 'package-lock.json'));
    editJson('.create-serverless-app.json', (manifest) => (manifest.packageManager = packageManager));
    expect(diagnoseProject(dir).checks.find((check) => check.id === 'lockfile-sync')).toMatchObject({ status: 'skipped', skipped: reason });
  });

  // Found by review: doctor named npm's install where add, in the same project, installs with the one package.json declares.
  it('lockfile-sync: with no lockfile yet, the skip names the package manager package.json declares for corepack, as add installs with it', () => {
    rmSync(join(dir, 'package-lock.json'));
    editJson('package.json', (pkg) => (pkg.packageManager = 'pnpm@10.26.0'));
    const skipped = () => diagnoseProject(dir).checks.find((check) => check.id === 'lockfile-sync')!.skipped;
    expect(skipped()).toBe('the project has no lockfile yet (pnpm install writes pnpm-lock.yaml)');
    editJson('package.json', (pkg) => (pkg.packageManager = 'deno@2.0.0'));
    expect(skipped()).toBe('the project has no lockfile yet (npm install writes package-lock.json)');
  });

  it('lockfile-sync: a lockfileVersion 1 package-lock.json, which has no "packages", is skipped, not passed', () => {
    editJson('package-lock.json', (lock) => {
      lock.lockfileVersion = 1;
      delete lock.packages;
    });
    expect(diagnoseProject(dir).checks.find((check) => check.id === 'lockfile-sync')).toMatchObject({ status: 'skipped', skipped: 'package-lock.json has no "packages" section (lockfileVersion 1, from npm 6 or older)' });
  });

  it('node-version: a runtime Flex Consumption does not offer', () => {
    write('infra/modules/function-app.bicep', read('infra/modules/function-app.bicep').replace("version: '22'", "version: '18'"));
    // engines ">=20" then excludes the runtime too: both are reported.
    expect(errors(diagnoseProject(dir))).toEqual({ 'node-version': ['infra/modules/function-app.bicep', 'package.json'] });
  });

  it('refuses a directory that is not a Functions project, naming what it lacks', () => {
    expect(() => diagnoseProject(parent)).toThrow(/not an Azure Functions project \(no package\.json and host\.json\)/);
    // Not a generated app either (no manifest): a generated one missing host.json is checked, and told so.
    rmSync(join(dir, 'host.json'));
    rmSync(join(dir, '.create-serverless-app.json'));
    expect(() => diagnoseProject(dir)).toThrow(/not an Azure Functions project \(no host\.json\), and no folder above it holds/);
  });

  it('checks the generated app a subfolder lies in, found as add finds it', () => {
    const report = diagnoseProject(join(dir, 'src/functions'));
    expect(report.directory).toBe(dir);
    expect(errors(report)).toEqual({});
    expect(formatReport(report)).toContain(`Checking ${dir}\n`);
  });

  // Found by review: in a generated app that lost package.json, doctor said it was no Functions project and to run it
  // "inside the generated app", where it was; its checks, which say what a missing file breaks, never ran.
  it('in a generated app missing package.json or host.json, reports them missing instead of refusing the app', () => {
    rmSync(join(dir, 'package.json'));
    rmSync(join(dir, 'host.json'));
    const report = diagnoseProject(dir);
    expect(errors(report)).toEqual({ 'main-glob': ['package.json'], 'extension-bundle': ['host.json'] });
    expect(report.checks.find((c) => c.id === 'main-glob')!.findings[0]).toMatchObject({
      message: 'package.json is missing: npm cannot install or build the app, and the Functions host finds no functions.',
      fix: 'Restore it from version control (git checkout -- package.json).',
    });
    expect(report.checks.find((c) => c.id === 'lockfile-sync')).toMatchObject({ status: 'skipped', skipped: 'the project has no package.json to compare package-lock.json with' });
  });

  it('outside any app, names the folder it checked and that none above it is a generated app', () => {
    expect(() => diagnoseProject(parent)).toThrow(
      `${parent} is not an Azure Functions project (no package.json and host.json), and no folder above it holds .create-serverless-app.json; run doctor inside the generated app`,
    );
  });

  it('says a directory that does not exist does not exist', () => {
    expect(() => diagnoseProject(join(parent, 'missing'))).toThrow(/^doctor .*missing: the folder does not exist$/);
  });

  // Found by review: `doctor "$APP"` with APP unset checked the working directory, and said nothing of it.
  it('refuses an empty directory, an unset shell variable, instead of checking the working directory', () => {
    expect(() => diagnoseProject('')).toThrow(new UserError('doctor "": an empty path (an unset shell variable?); give the project folder (. for the current one)'));
  });

  // Found by review: `doctor package.json` checked the app around the file, where `add --dir package.json` is refused.
  it('refuses a file, as add refuses one given as --dir, instead of checking the app around it', () => {
    const file = join(dir, 'package.json');
    expect(() => diagnoseProject(file)).toThrow(new UserError(`doctor ${file}: not a folder (give the project folder, or a folder inside it)`));
  });

  it('prints each problem with its fix', () => {
    rmSync(join(dir, 'local.settings.json'));
    const text = formatReport(diagnoseProject(dir));
    expect(text).toContain('✖ local.settings.json exists for `func start`');
    expect(text).toContain('fix: cp local.settings.example.json local.settings.json');
    expect(text).toMatch(/1 error\(s\)/);
  });
});

describe('main glob matching', () => {
  it.each([
    ['dist/src/functions/*.js', 'dist/src/functions/health.js', true],
    ['dist/src/functions/*.js', 'dist/src/functions/nested/health.js', false],
    ['dist/src/{index.js,functions/*.js}', 'dist/src/functions/health.js', true],
    ['dist/**/*.js', 'dist/src/functions/health.js', true],
    ['./dist/src/functions/*.js', 'dist/src/functions/health.js', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
