import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/engine/plan.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { sha1, templatePaths, type PrecompiledTemplates } from '../../src/engine/templates.js';
import { TEMPLATES_DIR } from '../../src/templates-dir.js';
import { CLI, REPO_ROOT } from '../support/generated-app.js';

// `npm test` builds first; the build's precompiled templates are what the published CLI renders with.
const PRECOMPILED = join(REPO_ROOT, 'dist/templates.precompiled.cjs');
const built = existsSync(PRECOMPILED);
if (!built) console.warn('skipping precompiled-template checks: run `npm run build` first');

describe.skipIf(!built)('templates precompiled by the build', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'csa-precompiled-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('cover every template, each with the hash of its current source', () => {
    const precompiled = createRequire(import.meta.url)(PRECOMPILED) as PrecompiledTemplates;
    const paths = templatePaths();
    expect(Object.keys(precompiled).sort()).toEqual(paths);
    for (const path of paths) expect(precompiled[path]!.sha1, path).toBe(sha1(readFileSync(join(TEMPLATES_DIR, path), 'utf8')));
  });

  it('render exactly what compiling the sources renders', () => {
    const patterns = 'http-api,event-processing,scheduled-tasks,data-processing';
    const cli = spawnSync(process.execPath, [CLI, 'same-app', '--pattern', patterns, '--yes', '--no-install', '--no-git'], { cwd: scratch, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(cli.status, cli.stderr).toBe(0);
    const answers = JSON.parse(readFileSync(join(scratch, 'same-app/.create-serverless-app.json'), 'utf8')).answers;
    const tree = renderPlan(buildPlan(answers, join(scratch, 'same-app')));
    for (const path of tree.paths) expect(readFileSync(join(scratch, 'same-app', path), 'utf8'), path).toBe(readTree(tree, path));
  });
});
