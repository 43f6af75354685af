import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/generated-app.js';
import { scratchDir } from '../support/scratch.js';

describe('scratch folders', () => {
  let made: string | undefined;

  it('are made by a test', () => {
    made = scratchDir('made-by-a-test');
    expect(existsSync(made)).toBe(true);
  });

  it('are gone once the test that made them ended', () => {
    expect(made && existsSync(made)).toBe(false);
  });

  // The fixtures make folders at a file's top level, in a beforeAll, in a test that skips, read-only ones, and in
  // a test that fails; they run in a vitest of their own whose temporary folder is a scratch folder of this test.
  it('are all removed after a run, but for those of a failed test and its file, each named once', () => {
    const tmp = scratchDir('scratch-fixtures');
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(REPO_ROOT, 'test/fixtures/scratch/vitest.config.ts')], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp, CI: 'true', NO_COLOR: '1' },
    });
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/Tests\s+1 failed \| 3 passed \| 1 skipped \(5\)/);
    const left = readdirSync(tmp).sort();
    expect(left).toEqual([expect.stringMatching(/^csa-failing-file-/), expect.stringMatching(/^csa-failing-test-/)]);
    expect(output.match(/^kept .*$/gm)).toEqual(
      expect.arrayContaining([`kept ${join(tmp, left[0]!)}: a test in failing.fixture.ts failed`, `kept ${join(tmp, left[1]!)}: test "fails" failed`]),
    );
    expect(output.match(/^kept .*$/gm)).toHaveLength(2);
  });
});

it('no test makes a temporary folder but through scratchDir, which removes it', () => {
  const testFiles = readdirSync(join(REPO_ROOT, 'test'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
  const makers = testFiles.filter((file) => /import \{[^}]*\bmkdtemp/.test(readFileSync(file, 'utf8'))).map((file) => relative(REPO_ROOT, file));
  expect(makers).toEqual(['test/support/scratch.ts']);
});
