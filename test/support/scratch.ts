import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished, type RunnerTask } from 'vitest';
import { getCurrentTest } from 'vitest/suite';

// Folders made outside a test (a file's top level, a describe, a beforeAll): the test file's afterAll removes them.
const fileScratch: string[] = [];
let fileCleanupInstalled = false;

/**
 * A fresh folder in the system's temporary folder, removed when the test that made it ends, or, made outside a
 * test, when its test file ends. A failed test's folder is kept for inspection and its path printed once.
 * Hundreds of tests make one each on every run: left behind, they filled the disk (2.8 GB per generated app).
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `csa-${prefix}-`));
  if (getCurrentTest()) {
    onTestFinished(({ task }) => removeUnlessFailed(dir, task, `test "${task.name}" failed`));
  } else {
    if (!fileCleanupInstalled) throw new Error('scratch folders made outside a test need test/support/scratch-cleanup.ts in the vitest project\'s setupFiles');
    fileScratch.push(dir);
  }
  return dir;
}

/** Called for every test file by the setup file test/support/scratch-cleanup.ts. */
export function removeFileScratchAfterAll(): void {
  fileCleanupInstalled = true;
  afterAll((file) => {
    for (const dir of fileScratch.splice(0)) removeUnlessFailed(dir, file, `a test in ${file.name} failed`);
  });
}

function removeUnlessFailed(dir: string, task: RunnerTask, why: string): void {
  if (failed(task)) {
    process.stderr.write(`kept ${dir}: ${why}\n`);
    return;
  }
  // Retries: a process a test started (a terminal session, an install) may still be letting go of the folder.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}

function failed(task: RunnerTask): boolean {
  return task.result?.state === 'fail' || ('tasks' in task && task.tasks.some(failed));
}
