import { spawnSync } from 'node:child_process';

export const tmuxMissing = spawnSync('tmux', ['-V']).status === 0 ? undefined : 'tmux is not installed; terminal tests are skipped';

/**
 * Drives a command in a real pseudo-terminal the way a person would: tmux runs it, send-keys types,
 * capture-pane reads the screen. The pane stays open after exit and prints the exit code.
 */
export class TerminalSession {
  private constructor(readonly name: string) {}

  static start(command: string, cwd: string, size: { columns: number; rows: number } = { columns: 160, rows: 50 }): TerminalSession {
    const name = `csa-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    // CI is unset so the CLI sees what a person at a terminal gives it.
    const shell = `cd '${cwd}' && env -u CI FORCE_COLOR=0 ${command}; echo "EXIT:$?"; sleep 60`;
    tmux('new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), shell);
    return new TerminalSession(name);
  }

  /** The screen as text; with `escapes`, with the colour codes the program wrote. */
  screen(options: { escapes?: boolean } = {}): string {
    return tmux('capture-pane', '-p', '-J', ...(options.escapes ? ['-e'] : []), '-S', '-200', '-t', this.name);
  }

  /** Types text (literally) and, unless told otherwise, presses Enter. */
  type(text: string, enter = true): void {
    if (text) tmux('send-keys', '-t', this.name, '-l', text);
    if (enter) tmux('send-keys', '-t', this.name, 'Enter');
  }

  press(key: string): void {
    tmux('send-keys', '-t', this.name, key);
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    spawnSync('tmux', ['kill-session', '-t', this.name]);
  }
}

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}
