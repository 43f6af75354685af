import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { intersects, minVersion, satisfies, validRange } from 'semver';
import { withoutBom } from '../engine/byte-order-mark.js';
import { describeFsError, isErrno } from '../engine/fs-errors.js';
import { answersEdited, hashMatches, isFileHash, isMachineLocal, isProjectPath, manifestDamage, MANIFEST_PATH } from '../engine/manifest.js';
import { corepackPackageManager, isPackageManager, LOCKFILES, type PackageManager } from '../engine/package-manager.js';
import { filesUnder } from '../templates-dir.js';

/**
 * The checks `create-serverless-app doctor` runs inside a generated project: each looks for one thing
 * that commonly breaks a local run or a deploy, and says how to fix it. Checks read files only; they
 * never run the build, call Azure or change anything.
 */

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  message: string;
  /** What to do about it, in one or two sentences. */
  fix: string;
  /** Project-relative file (and line) the finding is about. */
  file?: string;
}

export interface Check {
  id: string;
  title: string;
  run(project: ProjectFiles): Finding[] | NotApplicable;
}

/** What a check returns when it does not apply to the project, so that doctor says why instead of passing it. */
export class NotApplicable {
  constructor(readonly reason: string) {}
}

/** Read access to the project, relative to its root; missing files read as undefined. */
export class ProjectFiles {
  constructor(readonly root: string) {}

  read(path: string): string | undefined {
    try {
      return readFileSync(join(this.root, path), 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      const fix = isErrno(error, 'EISDIR') ? `Replace the folder ${path} with the file (restore it from version control).` : `Check the permissions of ${path}.`;
      throw new UnusableFileError(path, `${path} cannot be read: ${describeFsError(error)}.`, fix);
    }
  }

  /**
   * Parsed JSON, `undefined` when missing; throws a one-line error naming the file when malformed. Comments
   * are accepted: the Functions host reads host.json and settings with them, and `add` keeps them; so is a byte
   * order mark, which some editors (Notepad) save in front and the host and `add` read past.
   */
  json<T>(path: string): T | undefined {
    const read = this.read(path);
    if (read === undefined) return undefined;
    const text = withoutBom(read);
    const errors: ParseError[] = [];
    const value = parse(text, errors) as T;
    const [first] = errors;
    if (first) {
      const line = text.slice(0, first.offset).split('\n').length;
      throw new UnusableFileError(
        path,
        `${path} is not valid JSON: ${printParseErrorCode(first.error)} on line ${line}`,
        `Fix the JSON syntax of ${path} (a trailing comma or a missing quote is the usual cause).`,
      );
    }
    // Checks read fields of an object: a `null` host.json read as a missing one, a list as one without "main".
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
      throw new UnusableFileError(path, `${path} holds ${what}, not a JSON object.`, `Restore ${path} from version control, or write its settings as an object ({ … }).`);
    }
    return value;
  }

  exists(path: string): boolean {
    return existsSync(join(this.root, path));
  }

  /** Files under a folder (recursively) whose name ends with one of the suffixes, project-relative. */
  list(folder: string, suffixes: readonly string[]): string[] {
    const full = join(this.root, folder);
    if (!existsSync(full)) return [];
    return filesUnder(full)
      .filter((path) => suffixes.some((suffix) => path.endsWith(suffix)))
      .map((path) => `${folder}/${path}`);
  }
}

/** A file a check needs but cannot use (malformed, a folder, unreadable): that check's error, not a crash. */
export class UnusableFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/** Node.js versions Flex Consumption runs (shared/reference/azure.md). */
const SUPPORTED_RUNTIME_MAJORS = [20, 22];

// Fields as the file has them, of any type: one of the wrong type is reported, not a crash.
interface PackageJson {
  main?: unknown;
  engines?: unknown;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, unknown>;
  peerDependencies?: Record<string, unknown>;
  peerDependenciesMeta?: Record<string, { optional?: unknown } | undefined>;
}

interface PackageLock {
  /** By location: "" is the project itself, "node_modules/<name>" a package installed at the top. */
  packages?: Record<string, PackageJson & { version?: unknown }>;
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

// ---------------------------------------------------------------------------------------------------------

const mainGlob: Check = {
  id: 'main-glob',
  title: 'package.json "main" matches every compiled function',
  run(project) {
    const pkg = project.json<PackageJson>('package.json');
    if (pkg === undefined) {
      return [{ severity: 'error', file: 'package.json', message: 'package.json is missing: npm cannot install or build the app, and the Functions host finds no functions.', fix: 'Restore it from version control (git checkout -- package.json).' }];
    }
    if (!pkg.main) {
      return [{ severity: 'error', file: 'package.json', message: 'package.json has no "main": the Functions host finds no functions ("No job functions found").', fix: 'Set "main" to the compiled function modules, e.g. "dist/src/functions/*.js".' }];
    }
    if (typeof pkg.main !== 'string') {
      return [{ severity: 'error', file: 'package.json', message: `package.json "main" is ${JSON.stringify(pkg.main)}, not a string: the Functions host reads it as one path or glob.`, fix: 'Set "main" to the compiled function modules, e.g. "dist/src/functions/*.js".' }];
    }
    const outDir = project.json<{ compilerOptions?: { outDir?: string } }>('tsconfig.build.json')?.compilerOptions?.outDir ?? project.json<{ compilerOptions?: { outDir?: string } }>('tsconfig.json')?.compilerOptions?.outDir ?? 'dist';
    const sources = project.list('src/functions', ['.ts']).filter((path) => !path.endsWith('.d.ts'));
    const compiled = sources.map((source) => `${outDir.replace(/^\.\//, '').replace(/\/$/, '')}/${source.replace(/\.ts$/, '.js')}`);
    const pattern = globToRegExp(pkg.main);
    const unmatched = compiled.filter((path) => !pattern.test(path));
    if (sources.length === 0) {
      return [{ severity: 'error', file: 'src/functions', message: 'src/functions holds no function modules.', fix: 'Register functions in src/functions/<name>.ts (app.http, app.timer, …).' }];
    }
    return unmatched.map((path) => ({
      severity: 'error' as const,
      file: 'package.json',
      message: `${path} is not matched by "main": "${pkg.main}", so the host never loads it ("No job functions found" or a missing function in Azure).`,
      fix: `Make "main" cover the compiled modules, e.g. "${outDir}/src/functions/*.js" (or "${outDir}/src/{index.js,functions/*.js}" with an index that calls app.setup()).`,
    }));
  },
};

const localSettings: Check = {
  id: 'local-settings',
  title: 'local.settings.json exists for `func start`',
  run(project) {
    const settings = project.json<{ IsEncrypted?: unknown; Values?: Record<string, string> }>('local.settings.json');
    if (!settings) {
      const example = project.read('local.settings.example.json') !== undefined;
      return [{
        severity: 'error',
        file: 'local.settings.json',
        message: 'local.settings.json is missing: `func start` runs without AzureWebJobsStorage and the app settings, and triggers fail to start.',
        fix: example ? 'cp local.settings.example.json local.settings.json (it is git-ignored; edit your copy).' : 'Create local.settings.json with { "IsEncrypted": false, "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "FUNCTIONS_WORKER_RUNTIME": "node" } }.',
      }];
    }
    const values = settings.Values ?? {};
    const findings: Finding[] = [];
    // Core Tools reads an empty value as a missing one ("Missing value for AzureWebJobsStorage").
    const isSet = (name: string) => typeof values[name] === 'string' && values[name].trim() !== '';
    if (!isSet('AzureWebJobsStorage') && !Object.keys(values).some((name) => name.startsWith('AzureWebJobsStorage__') && isSet(name))) {
      findings.push({ severity: 'error', file: 'local.settings.json', message: 'AzureWebJobsStorage is not set (or empty): the host needs storage for timers, queues, blob triggers and its own locks.', fix: 'Set "AzureWebJobsStorage": "UseDevelopmentStorage=true" under "Values" and run Azurite (npx azurite).' });
    }
    const runtime = values.FUNCTIONS_WORKER_RUNTIME;
    // After `func settings encrypt` every value is ciphertext: only whether the setting is there can be checked.
    const encrypted = settings.IsEncrypted === true;
    if (encrypted ? !isSet('FUNCTIONS_WORKER_RUNTIME') : runtime !== 'node') {
      findings.push({ severity: 'error', file: 'local.settings.json', message: `FUNCTIONS_WORKER_RUNTIME is ${runtime === undefined ? 'missing' : `"${runtime}"`}: Core Tools cannot tell which language worker to start.`, fix: `${encrypted ? 'Run func settings add FUNCTIONS_WORKER_RUNTIME node (the file is encrypted)' : 'Set "FUNCTIONS_WORKER_RUNTIME": "node" under "Values"'} (locally only: Flex Consumption refuses this setting in Azure).` });
    }
    return findings;
  },
};

const extensionBundle: Check = {
  id: 'extension-bundle',
  title: 'host.json uses extension bundle 4.x',
  run(project) {
    const host = project.json<{ extensionBundle?: { id?: string; version?: unknown } }>('host.json');
    const fix = 'Set "extensionBundle": { "id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)" } in host.json.';
    if (!host) return [{ severity: 'error', file: 'host.json', message: 'host.json is missing: the Functions host cannot start.', fix: `Create host.json with "version": "2.0" and ${fix.slice(4)}` }];
    const bundle = host.extensionBundle;
    if (!bundle?.id || !bundle.version) {
      return [{ severity: 'error', file: 'host.json', message: 'host.json has no extension bundle: non-HTTP triggers and bindings (timer, queues, Service Bus, Event Hubs…) are not installed.', fix }];
    }
    if (bundle.id !== 'Microsoft.Azure.Functions.ExtensionBundle') {
      return [{ severity: 'error', file: 'host.json', message: `extensionBundle.id is "${bundle.id}", not the bundle the Node.js v4 model needs.`, fix }];
    }
    const range = bundleRange(bundle.version);
    const shown = typeof bundle.version === 'string' ? `"${bundle.version}"` : JSON.stringify(bundle.version);
    const tooOld = 'which lack the triggers the Node.js v4 programming model uses.';
    if (range === undefined) {
      return [{ severity: 'error', file: 'host.json', message: `extensionBundle.version ${shown} is not a version range the Functions host can read.`, fix }];
    }
    if (!intersects(range, '>=4.0.0')) {
      return [{ severity: 'error', file: 'host.json', message: `extensionBundle.version ${shown} allows only bundles older than 4.x, ${tooOld}`, fix }];
    }
    if (intersects(range, '<4.0.0')) {
      return [{ severity: 'error', file: 'host.json', message: `extensionBundle.version ${shown} allows bundles older than 4.x, ${tooOld}`, fix }];
    }
    // Newer majors may work one day, but nothing here was tested with them, and a range no bundle matches stops the host.
    if (!intersects(range, '4.x')) {
      return [{ severity: 'warning', file: 'host.json', message: `extensionBundle.version ${shown} excludes every 4.x bundle, the major version this app's triggers and bindings are written and tested for; the host fails to start if no bundle in the range exists.`, fix }];
    }
    return [];
  },
};

const runOnStartup: Check = {
  id: 'run-on-startup',
  title: 'no timer runs on startup',
  run(project) {
    return project.list('src', ['.ts', '.js', '.mjs']).flatMap((file) =>
      linesMatching(project.read(file) ?? '', /\brunOnStartup\s*:\s*true\b/).map((line) => ({
        severity: 'error' as const,
        file: `${file}:${line}`,
        message: 'runOnStartup: true re-runs the timer every time an instance starts, which on Flex Consumption means on every scale-out and restart.',
        fix: 'Remove runOnStartup (or set it to false); to run a job by hand, call its handler from a test or POST to the admin endpoint /admin/functions/<name>.',
      })),
    );
  },
};

// Values that carry a credential; Azurite's well-known development account is not one.
const KEYED_CONNECTION = /(AccountKey=|SharedAccessKey=|SharedAccessSignature=|[?&]sig=)/i;
const DEVELOPMENT_STORAGE = /(UseDevelopmentStorage=true|AccountName=devstoreaccount1|127\.0\.0\.1|localhost)/i;
// Keys that reach a connection: a function host's own keys (the code of a webhook Event Grid calls) are not one.
const KEY_IN_INFRA = /\blist(Keys|ConnectionStrings|AccountSas|ServiceSas)\s*\((?![^)]*\/host\/default)|AccountKey=|SharedAccessKey=/;

const identityConnections: Check = {
  id: 'identity-connections',
  title: 'connections use the managed identity, not keys',
  run(project) {
    const findings: Finding[] = [];
    for (const file of project.list('infra', ['.bicep', '.json', '.bicepparam'])) {
      const text = project.read(file) ?? '';
      for (const line of linesMatching(text, KEY_IN_INFRA)) {
        findings.push({
          severity: 'error',
          file: `${file}:${line}`,
          message: 'The infrastructure reads or embeds an access key where the app should connect with its managed identity (storage accounts have shared keys disabled).',
          fix: 'Pass endpoints instead: <Connection>__serviceUri / __fullyQualifiedNamespace, __credential = managedidentity and __clientId, and assign the identity a data role on that one resource.',
        });
      }
    }
    const values = project.json<{ Values?: Record<string, string> }>('local.settings.json')?.Values ?? {};
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'string' && KEYED_CONNECTION.test(value) && !DEVELOPMENT_STORAGE.test(value)) {
        findings.push({
          severity: 'error',
          file: 'local.settings.json',
          message: `${name} holds a connection string with an account key or SAS for a cloud resource; the deployed app uses its identity, and keys are disabled on the generated resources.`,
          fix: `Replace ${name} with the identity-based settings (${name}__serviceUri or ${name}__fullyQualifiedNamespace) and sign in with \`az login\`; local code then uses your own Entra ID account.`,
        });
      }
    }
    return findings;
  },
};

// Settings other plans use that Flex Consumption refuses (BadRequest), deprecates (the runtime and its version come
// from functionAppConfig.runtime) or that break it (shared/reference/azure.md).
const FLEX_REFUSED_SETTING = /\b(FUNCTIONS_WORKER_RUNTIME_VERSION|FUNCTIONS_WORKER_RUNTIME|FUNCTIONS_EXTENSION_VERSION|WEBSITE_RUN_FROM_PACKAGE|WEBSITE_CONTENTAZUREFILECONNECTIONSTRING|WEBSITE_CONTENTSHARE|WEBSITE_NODE_DEFAULT_VERSION|WEBSITE_TIME_ZONE|TZ|functionAppScaleLimit|linuxFxVersion)\b/;

const flexSettings: Check = {
  id: 'flex-settings',
  title: 'no app settings Flex Consumption rejects',
  run(project) {
    return project.list('infra', ['.bicep']).flatMap((file) => {
      const text = project.read(file) ?? '';
      return text
        .split('\n')
        .flatMap((line, index) => {
          const setting = FLEX_REFUSED_SETTING.exec(line.replace(/\/\/.*$/, ''))?.[1];
          return setting ? [{ line: index + 1, setting }] : [];
        })
        .map(({ line, setting }) => ({
          severity: 'error' as const,
          file: `${file}:${line}`,
          message: `${setting} is set in the infrastructure; Flex Consumption rejects it (or, for the time zone, breaks TLS and metrics), so provisioning or the app fails.`,
          fix: 'Remove it: the runtime comes from functionAppConfig.runtime, the package from functionAppConfig.deployment, scale from scaleAndConcurrency, and schedules run in UTC.',
        }));
    });
  },
};

const manifestDrift: Check = {
  id: 'manifest-drift',
  title: 'generated files match .create-serverless-app.json',
  run(project) {
    const manifest = project.json<{ files?: unknown; answers?: unknown; packageManager?: unknown; answersSha256?: unknown }>(MANIFEST_PATH);
    if (manifest === undefined) {
      return [{ severity: 'warning', file: MANIFEST_PATH, message: `${MANIFEST_PATH} is missing, so generated files cannot be told from your own and \`add\` cannot merge safely.`, fix: 'Restore it from version control (git checkout -- .create-serverless-app.json).' }];
    }
    const findings: Finding[] = [];
    // What add refuses as damage, doctor reports the same way: a comment (which doctor's own reading allows), a key
    // of the user's inside the generator's record or among the file hashes, a missing part.
    const damage = manifestDamage(project.read(MANIFEST_PATH)!);
    if (damage !== undefined) {
      findings.push({ severity: 'error', file: MANIFEST_PATH, message: `${MANIFEST_PATH} is damaged: ${damage}; \`add\` refuses it.`, fix: `Restore it from version control (git checkout -- ${MANIFEST_PATH}).` });
    }
    // A damaged manifest's answers may fail the digest too (none recorded): one problem, one restore, one finding.
    else if (answersEdited(manifest)) {
      findings.push({
        severity: 'error',
        file: MANIFEST_PATH,
        message: `${MANIFEST_PATH}: its recorded answers were edited by hand (they no longer match answersSha256), so \`add\` refuses to merge into this project.`,
        fix: `Restore it from version control (git checkout -- ${MANIFEST_PATH}).`,
      });
    }
    const files = typeof manifest.files === 'object' && manifest.files !== null && !Array.isArray(manifest.files) ? (manifest.files as Record<string, unknown>) : {};
    for (const [path, hash] of Object.entries(files)) {
      // Not a hash (a key of the user's): reported above as damage, and no file of the app.
      if (!isFileHash(hash)) continue;
      if (!isProjectPath(path)) {
        findings.push({ severity: 'error', file: path, message: `${MANIFEST_PATH} records ${path}, a path outside the project: the manifest is damaged.`, fix: `Restore it from version control (git checkout -- ${MANIFEST_PATH}).` });
        continue;
      }
      // local.settings.json is yours to edit, and git-ignored.
      if (isMachineLocal(path)) continue;
      let content: string | undefined;
      try {
        content = project.read(path);
      } catch (error) {
        if (!(error instanceof UnusableFileError)) throw error;
        findings.push({ severity: 'error', file: path, message: error.message, fix: error.fix });
        continue;
      }
      if (content === undefined) {
        findings.push({ severity: 'warning', file: path, message: `${path} was generated but is gone.`, fix: 'If that was deliberate, nothing to do; otherwise restore it from version control.' });
      } else if (!hashMatches(content, hash)) {
        findings.push({ severity: 'warning', file: path, message: `${path} differs from what was generated.`, fix: 'Expected after your own edits: `add` merges its changes into yours, and asks (or follows --conflict) where both changed the same lines. Review with `git diff` if unintended.' });
      }
    }
    return findings;
  },
};

const pendingMerges: Check = {
  id: 'pending-merges',
  title: 'no `<file>.new` from `add` waits to be merged',
  run(project) {
    const files = recordedManifest(project)?.files;
    if (!isObject(files)) return new NotApplicable(`the project has no readable ${MANIFEST_PATH}, which lists the generated files`);
    return Object.keys(files)
      .filter((path) => isProjectPath(path) && project.exists(`${path}.new`))
      .map((path) => ({
        severity: 'error' as const,
        file: `${path}.new`,
        // add writes one for a file the user deleted too: there is nothing to merge it into.
        ...(project.exists(path)
          ? { message: `${path}.new is a newer version \`add\` left beside ${path}: until it is merged, the app is half-wired.`, fix: `Merge ${path}.new into ${path}, then delete ${path}.new.` }
          : {
              message: `${path}.new is the new version \`add\` wrote of ${path}, which you deleted: until you decide, the app may be half-wired.`,
              fix: `Rename ${path}.new to ${path} to take it, or delete ${path}.new.`,
            }),
      }));
  },
};

// npm reads npm-shrinkwrap.json, when a project has one, instead of package-lock.json.
const NPM_LOCKFILES = LOCKFILES.filter((lockfile) => lockfile.packageManager === 'npm').map(({ file }) => file);
// The lockfiles of pnpm, yarn and bun: named when a project has one, never parsed.
const OTHER_LOCKFILES = LOCKFILES.filter((lockfile) => lockfile.packageManager !== 'npm').map(({ file }) => file);
// What each package manager's first install writes (bun.lockb only before Bun 1.2).
const LOCKFILE_WRITTEN_BY: Record<PackageManager, string> = { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock', bun: 'bun.lock' };

const lockfileSync: Check = {
  id: 'lockfile-sync',
  title: "npm's lockfile matches package.json",
  run(project) {
    const lockfile = NPM_LOCKFILES.find((file) => project.exists(file));
    const lock = lockfile && project.json<PackageLock>(lockfile);
    if (!lockfile || !lock) {
      const other = OTHER_LOCKFILES.find((file) => project.exists(file));
      if (other) return new NotApplicable(`the project has ${other}, not package-lock.json, and doctor reads only npm's lockfile`);
      const packageManager = installingPackageManager(project);
      return new NotApplicable(`the project has no lockfile yet (${packageManager} install writes ${LOCKFILE_WRITTEN_BY[packageManager]})`);
    }
    const packages = lock.packages ?? {};
    const root = packages[''];
    if (!root) return new NotApplicable(`${lockfile} has no "packages" section (lockfileVersion 1, from npm 6 or older)`);
    const pkg = project.json<PackageJson>('package.json');
    // main-glob reports it missing: every locked dependency would read as removed.
    if (pkg === undefined) return new NotApplicable(`the project has no package.json to compare ${lockfile} with`);
    // By name, so a dependency wrong in both places is listed once.
    const differing = new Map<string, string>();
    // npm's lockfile records package.json's dependencies at its root ...
    for (const field of DEPENDENCY_FIELDS) {
      const wanted: Record<string, unknown> = pkg[field] ?? {};
      const locked: Record<string, unknown> = root[field] ?? {};
      for (const name of new Set([...Object.keys(wanted), ...Object.keys(locked)])) {
        if (wanted[name] !== locked[name] && !differing.has(name)) differing.set(name, `${name} ${String(wanted[name] ?? '(removed)')} (locked: ${String(locked[name] ?? 'none')})`);
      }
    }
    // ... and npm ci also refuses it when a direct dependency is not locked at a version its range accepts.
    for (const [name, range] of checkableRanges(pkg)) {
      const version = packages[`node_modules/${name}`]?.version;
      // npm installs no optional peer dependency of the project itself.
      if (version === undefined && pkg.peerDependenciesMeta?.[name]?.optional === true) continue;
      if (!differing.has(name) && !(typeof version === 'string' && lockedVersionSatisfies(version, range))) differing.set(name, `${name} ${range} (locked: ${String(version ?? 'none')})`);
    }
    if (differing.size === 0) return [];
    const offenders = [...differing.values()];
    const listed = offenders.length > 3 ? `${offenders.slice(0, 3).join(', ')} and ${offenders.length - 3} more` : offenders.join(', ');
    return [{ severity: 'error', file: lockfile, message: `${lockfile} does not match package.json: ${listed}. npm ci, the CI workflow's install, refuses it.`, fix: `Run npm install, then commit ${lockfile} with package.json.` }];
  },
};

const nodeVersion: Check = {
  id: 'node-version',
  title: 'Node.js versions agree with the Azure runtime',
  run(project) {
    const runtime = runtimeVersion(project);
    if (!runtime) {
      return [{ severity: 'error', file: 'infra', message: 'No Node.js runtime version found in infra/ (functionAppConfig.runtime { name: \'node\', version }).', fix: "Set runtime: { name: 'node', version: '22' } in the function app's functionAppConfig." }];
    }
    const findings: Finding[] = [];
    if (!SUPPORTED_RUNTIME_MAJORS.includes(runtime.major)) {
      findings.push({ severity: 'error', file: runtime.file, message: `The function app runs Node.js ${runtime.major}, which Flex Consumption does not offer (${SUPPORTED_RUNTIME_MAJORS.join(', ')}).`, fix: "Set the runtime version to '22'." });
    }
    const pkg = project.json<PackageJson>('package.json');
    if (pkg?.engines !== undefined && !isObject(pkg.engines)) {
      findings.push({ severity: 'warning', file: 'package.json', message: `package.json "engines" is ${JSON.stringify(pkg.engines)}, not an object: npm reads no Node.js version from it, so nothing checks it.`, fix: 'Write it as "engines": { "node": ">=20" }.' });
    }
    const engines = isObject(pkg?.engines) ? pkg.engines.node : undefined;
    if (engines && validRange(String(engines)) === null) {
      findings.push({ severity: 'warning', file: 'package.json', message: `engines.node "${engines}" is not a version range npm understands.`, fix: 'Write it as a semver range, e.g. ">=20".' });
    } else if (engines && !rangeAllowsMajor(String(engines), runtime.major)) {
      findings.push({ severity: 'error', file: 'package.json', message: `engines.node "${engines}" excludes Node.js ${runtime.major}, the version Azure runs: remote build fails or warns.`, fix: `Widen engines.node to include ${runtime.major}, e.g. ">=20".` });
    }
    const typesMajor = Number(/(\d+)/.exec(pkg?.devDependencies?.['@types/node'] ?? '')?.[1]);
    if (Number.isFinite(typesMajor) && typesMajor > runtime.major) {
      findings.push({ severity: 'warning', file: 'package.json', message: `@types/node ${typesMajor} describes APIs Node.js ${runtime.major} in Azure may not have.`, fix: `Pin @types/node to ${runtime.major}.x.` });
    }
    const local = Number(process.versions.node.split('.')[0]);
    if (local < Math.min(...SUPPORTED_RUNTIME_MAJORS)) {
      findings.push({ severity: 'error', message: `This machine runs Node.js ${process.versions.node}; the app needs ${Math.min(...SUPPORTED_RUNTIME_MAJORS)} or later.`, fix: `Install Node.js ${runtime.major} (e.g. \`nvm install ${runtime.major}\`).` });
    } else if (local !== runtime.major) {
      findings.push({ severity: 'warning', message: `This machine runs Node.js ${local}, Azure runs ${runtime.major}: tests here may miss version differences.`, fix: `Use Node.js ${runtime.major} locally (e.g. \`nvm use ${runtime.major}\`), or rely on CI, which uses ${runtime.major}.` });
    }
    return findings;
  },
};

export const CHECKS: readonly Check[] = [mainGlob, localSettings, extensionBundle, runOnStartup, identityConnections, flexSettings, manifestDrift, pendingMerges, lockfileSync, nodeVersion];

// ---------------------------------------------------------------------------------------------------------

/** The manifest, for checks that only consult it: manifest-drift is the one that reports it unreadable. */
function recordedManifest(project: ProjectFiles): { files?: unknown; packageManager?: unknown } | undefined {
  try {
    return project.json<{ files?: unknown; packageManager?: unknown }>(MANIFEST_PATH);
  } catch (error) {
    if (error instanceof UnusableFileError) return undefined;
    throw error;
  }
}

/**
 * The package manager whose install writes the project's first lockfile, as add picks it without one: the one
 * package.json declares for corepack, else the one the app was made for, as its manifest records it (absent means npm).
 */
function installingPackageManager(project: ProjectFiles): PackageManager {
  let packageJson: string | undefined;
  try {
    packageJson = project.read('package.json');
  } catch (error) {
    // An unreadable package.json is reported by the checks that read it.
    if (!(error instanceof UnusableFileError)) throw error;
  }
  const recorded = recordedManifest(project)?.packageManager;
  return corepackPackageManager(packageJson) ?? (isPackageManager(recorded) ? recorded : 'npm');
}

function runtimeVersion(project: ProjectFiles): { major: number; file: string } | undefined {
  for (const file of project.list('infra', ['.bicep'])) {
    const match = /runtime:\s*\{\s*name:\s*'node'\s+version:\s*'(\d+)/.exec(project.read(file) ?? '');
    if (match) return { major: Number(match[1]), file };
  }
  return undefined;
}

/**
 * Whether an engines range admits the newest releases of `major`: Azure moves the runtime to each new minor of
 * it, so `>=20 <22.5` or `~22.1` shuts the app out as surely as `<22` does, while `^22.12` lets it in. Node has
 * no minor release anywhere near 9999: that version stands for "the newest".
 */
function rangeAllowsMajor(range: string, major: number): boolean {
  return satisfies(`${major}.9999.0`, range);
}

/**
 * extensionBundle.version as a semver range, or undefined when unreadable. The host reads it as a NuGet range:
 * an interval such as "[4.*, 5.0.0)" (`*` floats, so "4.*" starts at 4.0.0), "[4.2.0]" for exactly that
 * version, or a bare version such as "4.10.0" or "4.*", which means that version or later.
 */
function bundleRange(version: unknown): string | undefined {
  if (typeof version !== 'string') return undefined;
  const text = version.trim();
  const exact = /^\[\s*([^,\s]+)\s*\]$/.exec(text);
  const interval = /^([[(])\s*([^,\s]*)\s*,\s*([^,\s]*)\s*([\])])$/.exec(text);
  let range: string | undefined;
  if (exact) {
    const only = bundleVersion(exact[1]!, false);
    range = only && `=${only}`;
  } else if (interval) {
    const [, open, low = '', high = '', close] = interval;
    const min = low === '' ? '' : bundleVersion(low, true);
    const max = high === '' ? '' : bundleVersion(high, false);
    if (min !== undefined && max !== undefined && (min || max)) {
      range = [min && `${open === '[' ? '>=' : '>'}${min}`, max && `${close === ']' ? '<=' : '<'}${max}`].filter(Boolean).join(' ');
    }
  } else {
    const least = bundleVersion(text, true);
    range = least && `>=${least}`;
  }
  // A range no version satisfies (its bounds reversed) is one the host refuses too.
  return range !== undefined && minVersion(range) !== null ? range : undefined;
}

/** "4", "4.2", "4.2.1" and, where the host lets versions float, "4.*" or "4.2.*" (their lowest version), as x.y.z. */
function bundleVersion(text: string, floating: boolean): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(\.\*)?$/.exec(text);
  if (!match || (match[4] && !floating)) return undefined;
  return `${match[1]}.${match[2] ?? 0}.${match[3] ?? 0}`;
}

/** package.json ranges a locked version can be held against; git, file:, npm: aliases and tags cannot be. */
function checkableRanges(pkg: PackageJson): [name: string, range: string][] {
  return DEPENDENCY_FIELDS.flatMap((field) => Object.entries(pkg[field] ?? {})).flatMap(([name, spec]) =>
    typeof spec === 'string' && validRange(spec, { loose: true }) !== null ? [[name, spec] as [string, string]] : [],
  );
}

/** As npm ci judges it (arborist's dep-valid): "*" accepts any version, prereleases included; other ranges loosely. */
function lockedVersionSatisfies(version: string, range: string): boolean {
  return range.trim() === '*' || range.trim() === '' || satisfies(version, range, { loose: true });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `*` within one path segment and `{a,b}` alternatives: what Functions "main" globs use. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .replace(/^\.\//, '')
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\{([^}]*)\}/g, (_, alternatives: string) => `(?:${alternatives.split(',').join('|')})`)
    .split('**/')
    .map((part) => part.replace(/\*/g, '[^/]*'))
    .join('(?:[^/]+/)*');
  return new RegExp(`^${pattern}$`);
}

function linesMatching(text: string, pattern: RegExp): number[] {
  return text.split('\n').flatMap((line, index) => (pattern.test(line) ? [index + 1] : []));
}
