// Preloaded with `node --import` by the Ctrl-C tests: the process sends itself SIGINT (what Ctrl-C does) just
// before its Nth file write (INTERRUPT_AT_WRITE), i.e. in the middle of writing the project.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const at = Number(process.env.INTERRUPT_AT_WRITE);
const writeFileSync = fs.writeFileSync;
let writes = 0;
fs.writeFileSync = function interruptedWrite(...args) {
  if (++writes === at) process.kill(process.pid, 'SIGINT');
  return writeFileSync.apply(this, args);
};
// The bundled CLI imports writeFileSync by name from node:fs: make that binding the patched one too.
syncBuiltinESMExports();
