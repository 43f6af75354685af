import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffTree, existingEntries } from '../../src/engine/changes.js';
import { buildPlan } from '../../src/engine/plan.js';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { applyChanges, refuseUnwritable } from '../../src/engine/write.js';
import { ExitCode, UserError } from '../../src/exit-codes.js';
import { readOnly } from '../support/read-only.js';
import { scratchDir } from '../support/scratch.js';

const scratch = () => scratchDir('write');

const tree = () => renderPlan(buildPlan({ name: 'demo', location: 'eastus2', patterns: { 'http-api': {} } }, '/unused'));

describe('diffTree', () => {
  it('classifies absent files as creates, equal ones as unchanged, different ones as conflicts', () => {
    const dir = scratch();
    const rendered = tree();
    writeFileSync(join(dir, 'host.json'), 'user content');
    writeFileSync(join(dir, '.gitignore'), readTree(rendered, '.gitignore'));
    const changes = diffTree(rendered, dir);
    const kind = (path: string) => changes.find((change) => change.path === path)?.kind;
    expect(kind('host.json')).toBe('conflict');
    expect(kind('.gitignore')).toBe('unchanged');
    expect(kind('package.json')).toBe('create');
    expect(changes.find((change) => change.path === 'host.json')?.current).toBe('user content');
  });

  it('takes a folder where a file must go for a conflict, not an error', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'host.json'));
    const change = diffTree(tree(), dir).find((change) => change.path === 'host.json')!;
    expect(change.kind).toBe('conflict');
    expect(change).not.toHaveProperty('current');
  });

  it('treats a directory holding only .git as empty, like create-vite', () => {
    const dir = scratch();
    mkdirSync(join(dir, '.git'));
    expect(existingEntries(dir)).toEqual([]);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(existingEntries(dir)).toEqual(['notes.txt']);
    expect(existingEntries(join(dir, 'missing'))).toEqual([]);
  });

  it('refuses a target that is a link to a missing folder, instead of failing to write through it', () => {
    const dir = join(scratch(), 'app');
    symlinkSync(join(dir, '..', 'gone'), dir);
    const error = thrownBy(() => existingEntries(dir));
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ exitCode: ExitCode.Conflict, message: expect.stringMatching(/app is a symbolic link to .*gone, which does not exist/) });
  });

  it.each([
    ['a name too long for the file system', (dir: string) => join(dir, 'd'.repeat(300)), /a name in the path is too long for the file system/],
    ['a symlink loop', (dir: string) => (symlinkSync('loop-b', join(dir, 'loop-a')), symlinkSync('loop-a', join(dir, 'loop-b')), join(dir, 'loop-a')), /too many symbolic links/],
  ])('reports a target it cannot read, %s, as a file system error', (_, target, message) => {
    const dir = target(scratch());
    for (const read of [() => diffTree(tree(), dir), () => existingEntries(dir)]) {
      const error = thrownBy(read);
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({ exitCode: ExitCode.FileSystem, message: expect.stringMatching(message) });
    }
  });
});

describe('applyChanges', () => {
  it('writes every file of a new project', () => {
    const target = join(scratch(), 'app');
    const rendered = tree();
    applyChanges(target, diffTree(rendered, target));
    for (const path of rendered.paths) expect(existsSync(join(target, path)), path).toBe(true);
  });

  it('leaves nothing behind when a write fails half-way', () => {
    const parent = scratch();
    const target = join(parent, 'app');
    const changes = diffTree(tree(), target);
    // A directory where a file must go makes one write fail after others succeeded.
    const failing = changes.find((change) => change.path === 'src/functions/health.ts')!;
    mkdirSync(join(target, failing.path), { recursive: true });
    const before = listAll(parent);

    const error = thrownBy(() => applyChanges(target, changes));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.FileSystem);
    expect((error as UserError).message).toMatch(/nothing was written/);
    expect(listAll(parent)).toEqual(before);
  });

  it('restores updated files on failure and never removes a directory holding user files', () => {
    const target = scratch();
    writeFileSync(join(target, 'keep.txt'), 'mine');
    writeFileSync(join(target, 'host.json'), 'old');
    // A folder where a file must go fails that write while the others land: all of them are undone.
    mkdirSync(join(target, 'blocked'));
    const changes = [
      { path: 'host.json', kind: 'update' as const, content: 'new', current: 'old' },
      { path: 'sub/dir/a.txt', kind: 'create' as const, content: 'a' },
      { path: 'blocked', kind: 'create' as const, content: 'x' },
    ];
    expect(() => applyChanges(target, changes)).toThrow(/cannot write/);
    expect(readFileSync(join(target, 'host.json'), 'utf8')).toBe('old');
    expect(readFileSync(join(target, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(target, 'sub'))).toBe(false);
    expect(existsSync(join(target, 'blocked'))).toBe(true);
  });

  it('refuses a read-only file to update before writing any other', (context) => {
    const target = scratch();
    writeFileSync(join(target, 'README.md'), 'readme');
    writeFileSync(join(target, 'host.json'), 'locked');
    const unlock = readOnly(join(target, 'host.json'));
    if (!unlock) return context.skip();
    const changes = [
      { path: 'README.md', kind: 'update' as const, content: 'new readme', current: 'readme' },
      { path: 'src/new.ts', kind: 'create' as const, content: 'x' },
      { path: 'host.json', kind: 'update' as const, content: 'new', current: 'locked' },
    ];
    try {
      for (const attempt of [() => refuseUnwritable(target, changes), () => applyChanges(target, changes)]) {
        expect(thrownBy(attempt)).toMatchObject({ exitCode: ExitCode.FileSystem, message: `cannot write ${join(target, 'host.json')}: permission denied; nothing was written` });
      }
    } finally {
      unlock();
    }
    expect(readFileSync(join(target, 'README.md'), 'utf8')).toBe('readme');
    expect(readFileSync(join(target, 'host.json'), 'utf8')).toBe('locked');
    expect(existsSync(join(target, 'src'))).toBe(false);
  });

  it('restores an updated file byte for byte, also one that is not UTF-8 text', () => {
    const target = scratch();
    const latin1 = Buffer.from('Café ouvert à 8h.\n', 'latin1');
    writeFileSync(join(target, 'README.md'), latin1);
    mkdirSync(join(target, 'blocked'));
    const changes = [
      // As add reads it: the text of the bytes, with replacement characters where they are not UTF-8.
      { path: 'README.md', kind: 'update' as const, content: 'new', current: latin1.toString('utf8') },
      { path: 'blocked', kind: 'create' as const, content: 'x' },
    ];
    expect(() => applyChanges(target, changes)).toThrow(/nothing was written/);
    expect(readFileSync(join(target, 'README.md'))).toEqual(latin1);
  });

  // Node's own recursive mkdir retries forever there: mkdir answers ENOENT below the existing /proc.
  it.runIf(existsSync('/proc/self'))('fails at once, not hangs, where the file system refuses new folders (/proc)', () => {
    const target = '/proc/csa-write-test/app';
    const error = thrownBy(() => applyChanges(target, diffTree(tree(), target)));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.FileSystem);
    expect((error as UserError).message).toMatch(/does not allow creating folders there; nothing was written$/);
    expect(existsSync('/proc/csa-write-test')).toBe(false);
  });

  it('refuses to run with an unresolved conflict', () => {
    expect(() => applyChanges(scratch(), [{ path: 'x', kind: 'conflict', content: 'a', current: 'b' }])).toThrow(/unresolved conflicts/);
  });
});

// A dry run refuses what the write would refuse, with the same words: both go through refuseUnwritable.
describe('refuseUnwritable', () => {
  /** Both the check alone (a dry run) and the write refuse `target` with the same error, and nothing is written. */
  function expectRefusedBeforeWriting(parent: string, target: string, message: string): void {
    const before = listAll(parent);
    const changes = diffTree(tree(), target);
    for (const attempt of [() => refuseUnwritable(target, changes), () => applyChanges(target, changes)]) {
      expect(thrownBy(attempt)).toMatchObject({ exitCode: ExitCode.FileSystem, message });
    }
    expect(listAll(parent)).toEqual(before);
  }

  it('refuses a folder it may not write in', (context) => {
    const parent = scratch();
    const unlock = readOnly(parent);
    if (!unlock) return context.skip();
    try {
      expectRefusedBeforeWriting(parent, join(parent, 'app'), `cannot write ${join(parent, 'app')}: permission denied; nothing was written`);
    } finally {
      unlock();
    }
  });

  it('refuses a file where a parent folder must be', () => {
    const parent = scratch();
    writeFileSync(join(parent, 'a-file'), '');
    const target = join(parent, 'a-file', 'app');
    expectRefusedBeforeWriting(parent, target, `cannot write ${target}: a parent path is a file, not a directory; nothing was written`);
  });

  it('lets through what can be written, and a file left unchanged or in conflict', () => {
    const parent = scratch();
    const target = join(parent, 'app');
    expect(() => refuseUnwritable(target, diffTree(tree(), target))).not.toThrow();
    writeFileSync(join(parent, 'a-file'), '');
    expect(() => refuseUnwritable(parent, [{ path: 'a-file/x', kind: 'unchanged', content: '' }, { path: 'a-file/y', kind: 'conflict', content: '' }])).not.toThrow();
    expect(listAll(parent)).toEqual(['a-file']);
  });
});

function thrownBy(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}
