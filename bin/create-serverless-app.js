#!/usr/bin/env node
import { main } from '../dist/cli.js';

// `create-serverless-app --help | head -1`: a reader that stops early is no error of ours, so no stack trace;
// the run goes on without its output (a create still writes, installs and commits).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

process.exitCode = await main(process.argv);
