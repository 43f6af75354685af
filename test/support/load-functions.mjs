// `node load-functions.mjs <app dir> [runs] [main]`: loads a built app's function modules the way the Functions
// host does: every file package.json "main" (or the given glob) matches, in a fresh process. Prints as JSON
// the functions registered (and how many each file registered), how many programming models registered (the
// host expects one @azure/functions), the median import time over `runs` processes and the files one load
// reads. No Azure involved: a stand-in for the worker's @azure/functions-core records what it is handed.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const script = fileURLToPath(import.meta.url);
const [appDir, runs = '5', mainOverride] = process.argv.slice(2);

if (process.env.LOAD_FUNCTIONS_CHILD) await load();
else measure();

function measure() {
  const child = (args) => {
    const result = spawnSync(process.execPath, [...args, script, ...process.argv.slice(2)], { cwd: appDir, encoding: 'utf8', env: { ...process.env, LOAD_FUNCTIONS_CHILD: '1' } });
    if (result.status !== 0) throw new Error(`loading the functions of ${appDir} failed:\n${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout);
  };
  const loads = Array.from({ length: Number(runs) }, () => child([]));
  const importMs = loads.map((result) => result.importMs).sort((a, b) => a - b);

  // Counting resolutions slows loading down, so it has a run of its own.
  const recording = join(tmpdir(), `load-functions-${process.pid}.txt`);
  child(['--import', recordingResolutionsTo(recording)]);
  const files = new Set(readFileSync(recording, 'utf8').split('\n').filter((url) => url.startsWith('file:')));
  rmSync(recording);
  console.log(JSON.stringify({ ...loads[0], importMs: importMs[Math.floor(importMs.length / 2)], esmFiles: files.size }));
}

async function load() {
  const functions = [];
  let programmingModels = 0;
  const core = {
    setProgrammingModel: () => programmingModels++,
    registerFunction: (metadata) => {
      functions.push(metadata.name);
      return { dispose() {} };
    },
    registerHook: () => ({ dispose() {} }),
    log: () => {},
  };
  // The worker makes @azure/functions-core requirable the same way: by answering for it in Module._load.
  const originalLoad = Module._load;
  Module._load = function (request, ...rest) {
    return request === '@azure/functions-core' ? core : originalLoad.call(this, request, ...rest);
  };

  const main = mainOverride ?? JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).main;
  const entries = matching(main);
  const registeredBy = {};
  const started = performance.now();
  for (const entry of entries) {
    const before = functions.length;
    await import(pathToFileURL(join(appDir, entry)).href);
    registeredBy[entry] = functions.length - before;
  }
  const importMs = Math.round(performance.now() - started);
  console.log(JSON.stringify({ registeredBy, functions: functions.sort(), programmingModels, importMs, commonJsFiles: Object.keys(Module._cache).length }));
}

/** The app's files a "main" glob matches (`*` within a path segment, `{a,b}` alternatives), as the host reads it. */
function matching(glob) {
  const pattern = new RegExp(
    `^${glob
      .replace(/[.+^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^}]*)\}/g, (_, alternatives) => `(?:${alternatives.split(',').join('|')})`)
      .replace(/\*/g, '[^/]*')}$`,
  );
  const root = glob.split('/').findIndex((segment) => /[*{]/.test(segment));
  const base = glob.split('/').slice(0, root).join('/');
  return readdirSync(join(appDir, base), { recursive: true })
    .map((path) => `${base}/${path.split('\\').join('/')}`)
    .filter((path) => pattern.test(path))
    .sort();
}

/** A module for --import that appends every URL an import resolves to to `file`. */
function recordingResolutionsTo(file) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(${JSON.stringify(file)}, result.url + '\\n');
      return result;
    }`;
  return `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`)}`;
}
