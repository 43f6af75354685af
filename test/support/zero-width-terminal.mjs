// Preloaded with `node --import`: stderr is made to look like a pseudo-terminal that reports no width, as one does
// that `script`, `docker exec -t` or a CI runner opens without giving it a size (Node reads 0 columns there).
import readline from 'node:readline';

const stderr = process.stderr;
Object.defineProperty(stderr, 'isTTY', { value: true });
Object.defineProperty(stderr, 'columns', { value: 0 });
Object.defineProperty(stderr, 'rows', { value: 0 });
// What a tty.WriteStream has and a pipe lacks: the cursor codes are written to the pipe instead.
stderr.cursorTo = (x, y, done) => readline.cursorTo(stderr, x, y, done);
stderr.moveCursor = (dx, dy, done) => readline.moveCursor(stderr, dx, dy, done);
stderr.clearLine = (direction, done) => readline.clearLine(stderr, direction, done);
