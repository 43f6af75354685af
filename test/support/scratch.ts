import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished, type RunnerTask } from 'vitest';
import { getCurrentTest } from 'vitest/suite';

// Folders made outside a test (a file's top level, a describe, a beforeAll): the test file's afterAll removes them.
const fileScratch: string[] = [];
let fileCleanupInstalled = false;
// Above vitest's 10 s default: a file's folder of dozens of generated apps takes longer than that on a busy disk.
const REMOVAL_TIMEOUT_MS = 5 * 60_000;

/**
 * A fresh folder in the system's temporary folder, removed when the test that made it ends, or, made outside a
 * test, when its test file ends. A failed test's folder is kept for inspection and its path printed once.
 * Hundreds of tests make one each on every run: left behind, they filled the disk (2.8 GB per generated app).
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `csa-${prefix}-`));
  if (getCurrentTest()) {
    onTestFinished(({ task }) => removeUnlessFailed(dir, task, `test "${task.name}" failed`), REMOVAL_TIMEOUT_MS);
  } else {
    if (!fileCleanupInstalled) throw new Error('scratch folders made outside a test need test/support/scratch-cleanup.ts in the vitest project\'s setupFiles');
    fileScratch.push(dir);
  }
  return dir;
}

/** Called for every test file by the setup file test/support/scratch-cleanup.ts. */
export function removeFileScratchAfterAll(): void {
  fileCleanupInstalled = true;
  afterAll(async (file) => {
    for (const dir of fileScratch.splice(0)) await removeUnlessFailed(dir, file, `a test in ${file.name} failed`);
  }, REMOVAL_TIMEOUT_MS);
}

async function removeUnlessFailed(dir: string, task: RunnerTask, why: string): Promise<void> {
  if (failed(task)) {
    process.stderr.write(`kept ${dir}: ${why}\n`);
    return;
  }
  // Retries: a process a test started (a terminal session, an install) may still be letting go of the folder.
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}

function failed(task: RunnerTask): boolean {
  return task.result?.state === 'fail' || ('tasks' in task && task.tasks.some(failed));
}
