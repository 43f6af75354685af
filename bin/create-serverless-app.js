#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code for the bundle in its compile cache (in the system's temporary folder), so
// every run after the first skips compiling it: ~5 ms off `--help`, ~18 ms off generating. Node 20 has no such cache.
// Enabled before the CLI is imported, which is why that import is dynamic.
module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');

// `create-serverless-app --help | head -1`: a reader that stops early is no error of ours, so no stack trace;
// the run goes on without its output (a create still writes, installs and commits).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

process.exitCode = await main(process.argv);
