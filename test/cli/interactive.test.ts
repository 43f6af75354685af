import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, scratchDir } from '../support/generated-app.js';
import { TerminalSession, tmuxMissing } from '../support/tmux.js';

describe.skipIf(tmuxMissing)('the questionnaire in a real terminal', () => {
  let session: TerminalSession | undefined;
  afterEach(() => session?.close());

  it('walks the advisor, asks the chosen patterns\' questions, summarises, confirms and generates', async () => {
    const parent = scratchDir('tty');
    session = TerminalSession.start(`node ${CLI} --no-install --no-git`, parent);

    await session.waitFor(/Project name/);
    session.type('tty-app');
    await session.waitFor(/call it over HTTP/);
    session.type('y');
    await session.waitFor(/react to events/);
    session.type('n');
    await session.waitFor(/on a schedule/);
    session.type('y');
    await session.waitFor(/transform files/);
    session.type('n');
    await session.waitFor(/Expected volume/);
    session.type('');
    await session.waitFor(/How quickly/);
    session.type('');
    // No events and no very high volume: the order of messages changes nothing, so it is not asked.
    const checkbox = await session.waitFor(/Recommended: http-api, scheduled-tasks/);
    expect(checkbox).toMatch(/HTTP API — RESTful · scalability High · complexity Low/);
    expect(checkbox).not.toMatch(/processed in the order/);
    session.type('');
    await session.waitFor(/Azure region/);
    session.type('');

    // Each chosen pattern's own questions: accept the defaults until the summary asks to write.
    let screen = '';
    for (let step = 0; step < 40 && !/Write \d+ files to tty-app\?/.test(screen); step++) {
      screen = await session.waitFor(/\? .*$/m);
      if (/Write \d+ files/.test(screen)) break;
      session.type('');
      await new Promise((resolve) => setTimeout(resolve, 250));
      screen = session.screen();
    }
    expect(screen).toMatch(/Summary/);
    expect(screen).toMatch(/pattern {3}HTTP API — RESTful/);
    expect(screen).toMatch(/why: clients call it and wait for an answer/);
    // The answers, as the flags that would give them: the questions have scrolled away by now.
    expect(screen).toMatch(/^ {12}--resource items\n {12}--route-prefix api\n {12}--auth function-key\n/m);
    // Only what applies: the Entra ID audience is not asked with function keys, so it is not shown either.
    expect(screen).not.toMatch(/--entra-audience/);
    expect(screen).toMatch(/^ {12}--time-zone UTC$/m);
    // As a shell reads it: a job list holds `|`, `;` and `*`.
    expect(screen).toMatch(/^ {12}--job 'run-report=daily at 02:30'$/m);
    // Every module the app gets, the base project's (budget, workbook…) and the patterns', from the plan itself.
    expect(screen).toMatch(/infra {5}alerts, app-settings, budget, function-app, http-api, identity, key-vault, monitoring, scheduled-tasks, storage, workbook; \d+ log alerts/);
    expect(screen).toMatch(/cost {6}\(billing model as of November 2026/);
    session.type('');

    const done = await session.waitFor(/EXIT:\d+/, 30_000);
    expect(done).toMatch(/Created \d+ files in tty-app/);
    expect(done).toContain('EXIT:0');
    const manifest = JSON.parse(readFileSync(join(parent, 'tty-app/.create-serverless-app.json'), 'utf8'));
    expect(Object.keys(manifest.answers.patterns)).toEqual(['http-api', 'scheduled-tasks']);
  });

  // Sessions run with FORCE_COLOR=0; these unset it, as a person's terminal does not set it.
  it('NO_COLOR=1 turns off the colour of everything it prints, not only of the prompts', async () => {
    const colour = /\x1b\[3\dm/;
    const run = async (env: string, name: string) => {
      const parent = scratchDir('no-color');
      session = TerminalSession.start(`env -u FORCE_COLOR ${env} node ${CLI} ${name} --pattern http-api --yes --no-install --no-git`, parent);
      await session.waitFor(/EXIT:\d+/, 30_000);
      const screen = session.screen({ escapes: true });
      session.close();
      expect(screen).toMatch(/Created \d+ files/);
      expect(screen).toContain('EXIT:0');
      return screen;
    };
    // Without NO_COLOR the same run is coloured: what the test looks for is there to find.
    expect(await run('', 'colour-app')).toMatch(colour);
    expect(await run('NO_COLOR=1', 'plain-app')).not.toMatch(colour);
  });

  it('Ctrl-C at a prompt exits 130 with one line and writes nothing', async () => {
    const parent = scratchDir('ctrl-c');
    session = TerminalSession.start(`node ${CLI} ctrl-app --no-install --no-git`, parent);
    await session.waitFor(/call it over HTTP/);
    session.press('C-c');
    const screen = await session.waitFor(/EXIT:\d+/);
    expect(screen).toContain('EXIT:130');
    expect(screen).toMatch(/✖ interrupted; nothing was written/);
    expect(screen).not.toMatch(/\n\s+at /);
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(join(parent, 'ctrl-app'))).toBe(false);
  });

  // Found by QA: with stdout in a file, the questions went into the file, and the CLI waited for an answer to a
  // question nobody could see.
  it('asks on stderr when stdout goes to a file, which gets what it logs but no question', async () => {
    const parent = scratchDir('stdout-to-file');
    session = TerminalSession.start(`node ${CLI} logged-app --pattern http-api --location eastus2 --resource items --route-prefix api --auth none --no-install --no-git > out.txt`, parent);
    // Found by QA: the summary went into the file, and the person was asked to write files they were not shown.
    expect(await session.waitFor(/Write \d+ files to logged-app\?/)).toMatch(/Summary\n {2}project {3}logged-app[\s\S]*--auth none[\s\S]*\? Write \d+ files/);
    session.type('');
    const screen = await session.waitFor(/EXIT:\d+/, 30_000);
    expect(screen).toContain('EXIT:0');
    const logged = readFileSync(join(parent, 'out.txt'), 'utf8');
    expect(logged).toMatch(/Created \d+ files in logged-app/);
    expect(logged).not.toMatch(/Write \d+ files/);

    // add, the same: its plan and diff are what its question asks about.
    session.close();
    session = TerminalSession.start(`sh -c 'cd logged-app && node ${CLI} add scheduled-tasks --time-zone UTC --job report=hourly --past-due run --no-install > add.txt'`, parent);
    // The diffs end the plan on screen (its list scrolled away above them).
    expect(await session.waitFor(/Apply these changes to this project\?/)).toMatch(/^@@ [\s\S]*\? Apply these changes/m);
    session.type('');
    expect(await session.waitFor(/EXIT:\d+/, 30_000)).toContain('EXIT:0');
    const addLogged = readFileSync(join(parent, 'logged-app/add.txt'), 'utf8');
    expect(addLogged).toMatch(/Added scheduled-tasks/);
    expect(addLogged).not.toMatch(/^@@ /m);
  });

  // Found by QA: at 40 columns the terminal broke the schedule's and the blob trigger's notes mid-word ("st|yles"),
  // right above a summary wrapped at word boundaries.
  it('wraps what it shows before the summary at word boundaries, as the summary, in a narrow terminal', async () => {
    const parent = scratchDir('narrow');
    const flags = "--pattern scheduled-tasks,data-processing --location eastus2 --job 'nightly-report=daily at 02:30' --time-zone UTC --past-due run";
    const data = '--data-input blob --data-format csv --data-destination table --data-container incoming --data-archive-container archive --data-poison-container poison';
    session = TerminalSession.start(`node ${CLI} narrow-app ${flags} ${data} --data-cool-after-days 30 --data-archive-after-days 180 --data-retention-days 30 --no-install --no-git`, parent, { columns: 40, rows: 200 });
    const screen = await session.waitFor(/Write \d+ files to narrow-app\?/);
    // The screen as lines joined where the terminal broke them (capture-pane -J): each of ours fits 40 columns.
    const shown = screen.slice(0, screen.indexOf('Summary')).split('\n');
    expect(shown.join('\n')).toMatch(/next runs:/);
    expect(shown.filter((line) => line.length > 40)).toEqual([]);
  });

  it('asks nothing when neither stdout nor stderr is a terminal: it fails at once naming the missing flags', async () => {
    const parent = scratchDir('output-to-files');
    session = TerminalSession.start(`node ${CLI} quiet-app --no-install --no-git > out.txt 2> err.txt`, parent);
    const screen = await session.waitFor(/EXIT:\d+/);
    expect(screen).toContain('EXIT:2');
    expect(readFileSync(join(parent, 'err.txt'), 'utf8')).toMatch(/^✖ missing required values \(nothing is asked without a terminal, .*\): --pattern <ids>/);
    expect(readFileSync(join(parent, 'out.txt'), 'utf8')).toBe('');
  });

  // Found by QA: prompts redraw with cursor codes, which a dumb terminal (Emacs' M-x shell) prints as garbage.
  it('TERM=dumb asks nothing: it fails at once naming the missing flags, as in a pipeline', async () => {
    const parent = scratchDir('dumb');
    session = TerminalSession.start(`env TERM=dumb node ${CLI} --no-install --no-git`, parent);
    const screen = await session.waitFor(/EXIT:\d+/);
    expect(screen).toContain('EXIT:2');
    expect(screen).toMatch(/✖ missing required values \(nothing is asked without a terminal, in a dumb one \(TERM=dumb\), with CI=true or with --json\): \[directory\]/);
    expect(screen.replace(/\s+$/, '')).not.toMatch(/\? Project name/);
  });

  // Found by QA: an install takes seconds to stop, and the spinner went on as if nothing had been pressed.
  it('Ctrl-C during the install says at once that it is stopping the install', async () => {
    const parent = scratchDir('ctrl-c-install');
    // An npm that takes its time to stop, as a real install does: TERM is ignored for two seconds.
    const bin = join(parent, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'npm'), '#!/bin/sh\ntrap "sleep 2; exit 143" TERM\nwhile :; do sleep 0.1; done\n');
    chmodSync(join(bin, 'npm'), 0o755);
    session = TerminalSession.start(`env PATH=${bin}:$PATH node ${CLI} slow-app --pattern http-api --yes --no-git`, parent);
    await session.waitFor(/Installing dependencies with npm/);
    session.press('C-c');
    const stopping = await session.waitFor(/Installing dependencies with npm: stopping \(Ctrl-C\)/, 1_500);
    expect(stopping).not.toMatch(/EXIT:/);
    const screen = await session.waitFor(/EXIT:\d+/);
    expect(screen).toContain('EXIT:130');
  });
});
