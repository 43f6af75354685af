#!/usr/bin/env node
import module from 'node:module';

// package.json's engines, checked before the bundle loads: on an older Node it would fail on whatever feature it
// met first, with a stack trace that does not name the cause.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`✖ create-serverless-app needs Node.js 20.19 or later, and this is Node.js ${process.versions.node}: install a current LTS release (https://nodejs.org) and run it again\n`);
  process.exit(2);
}

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
