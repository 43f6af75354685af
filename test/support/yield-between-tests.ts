import { afterEach } from 'vitest';

// E2E tests run child processes synchronously (spawnSync), which blocks the test worker's event loop. Sync
// tests run back to back without a macrotask in between, so several of them add up to one long block, and
// vitest's worker RPC (a fixed 60 s timeout) then reports "Timeout calling onTaskUpdate" and fails the run
// although every test passed. Yielding once after each test lets the worker read the runner's replies.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
