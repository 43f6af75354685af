import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/engine/plan.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { COMPILE_OPTIONS } from '../../src/engine/templates.js';
import { packLockfile } from '../../src/engine/lockfile.js';
import { patternFlags } from '../../src/patterns/flags.js';
import { filesUnder, GENERATOR_LOCKFILE, TEMPLATES_DIR, type TemplatePack } from '../../src/templates-dir.js';
import { CLI, REPO_ROOT, scratchDir } from '../support/generated-app.js';

// `npm test` builds first; the build's template pack is all the published CLI renders from.
const PACK = join(REPO_ROOT, 'dist/templates.pack.cjs');
const built = existsSync(PACK);
if (!built) console.warn('skipping template-pack checks: run `npm run build` first');

describe.skipIf(!built)('the template, lockfile and pattern flag packs written by the build', () => {
  const scratch = scratchDir('pack');

  it('holds every file under templates/ as it is now: texts verbatim, Handlebars templates precompiled', () => {
    const pack = createRequire(import.meta.url)(PACK) as TemplatePack;
    const texts = readFileSync(join(REPO_ROOT, 'dist/templates.pack.txt'), 'utf8');
    const paths = filesUnder(TEMPLATES_DIR);
    expect(Object.keys(pack).sort()).toEqual(paths);
    for (const path of paths) {
      const source = readFileSync(join(TEMPLATES_DIR, path), 'utf8');
      const entry = pack[path]!;
      if (path.endsWith('.hbs')) {
        expect('spec' in entry, path).toBe(true);
        // The same compiler output: an edited template without a rebuild fails here.
        const expected = new Function(`return ${Handlebars.precompile(source, COMPILE_OPTIONS)}`)() as object;
        expect(specText((entry as { spec: object }).spec), path).toEqual(specText(expected));
      } else {
        expect('text' in entry && texts.slice(...entry.text), path).toBe(source);
      }
    }
  });

  it('holds lockfile/package-lock.json as it is now: a lockfile changed by npm run lock without a rebuild fails here', () => {
    const packed = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/lockfile.pack.json'), 'utf8')) as unknown;
    expect(packed).toEqual(packLockfile(JSON.parse(readFileSync(GENERATOR_LOCKFILE, 'utf8'))));
  });

  it('holds every pattern flag as the registry declares it now: an option changed without a rebuild fails here', () => {
    const packed = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/pattern-flags.json'), 'utf8')) as unknown;
    expect(packed).toEqual(patternFlags());
  });

  it('renders exactly what compiling the sources renders (the lockfile too)', () => {
    const patterns = 'http-api,event-processing,scheduled-tasks,data-processing';
    const cli = spawnSync(process.execPath, [CLI, 'same-app', '--pattern', patterns, '--yes', '--no-install', '--no-git'], { cwd: scratch, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(cli.status, cli.stderr).toBe(0);
    const answers = JSON.parse(readFileSync(join(scratch, 'same-app/.create-serverless-app.json'), 'utf8')).answers;
    const tree = renderPlan(buildPlan(answers, join(scratch, 'same-app')));
    for (const path of tree.paths) expect(readFileSync(join(scratch, 'same-app', path), 'utf8'), path).toBe(readTree(tree, path));
  });
});

/** A precompiled spec as comparable data: its functions by their source. */
function specText(spec: object): [string, unknown][] {
  return Object.entries(spec).map(([key, value]) => [key, typeof value === 'function' ? String(value) : value]);
}
