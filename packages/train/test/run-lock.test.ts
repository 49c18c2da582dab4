import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFsError, lockRunFolder, removeLeftovers } from '../src/node/run-lock.js';

const lockModule = fileURLToPath(new URL('../src/node/run-lock.ts', import.meta.url));

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dlm-lock-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A second real process that takes the lock of `runDir` and holds it until killed. */
function holder(runDir: string): Promise<ChildProcess> {
  const script = `const m = await import(${JSON.stringify(lockModule)}); const r = await m.lockRunFolder(${JSON.stringify(runDir)}); console.log('diagnostic' in r ? 'refused ' + r.diagnostic.code : 'locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (b: Buffer) => (b.toString().startsWith('locked') ? resolve(child) : reject(new Error(b.toString()))));
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

describe('run folder lock', () => {
  it('refuses a second writer while another process holds the folder, naming it; takes over once it is killed', async () => {
    const runDir = path.join(dir, 'runs', 'Net');
    const child = await holder(runDir);
    const second = await lockRunFolder(runDir);
    expect('diagnostic' in second).toBe(true);
    const d = (second as { diagnostic: { code: string; message: string } }).diagnostic;
    expect(d.code).toBe('DLM5068');
    expect(d.message).toContain(`pid ${child.pid} on host ${hostname()}`);
    expect(d.message).toContain(runDir);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The dead owner's lock file is still there (kill -9 runs no exit handler) and is stale now.
    expect(existsSync(path.join(runDir, '.lock'))).toBe(true);
    const third = await lockRunFolder(runDir);
    expect('lock' in third).toBe(true);
    expect(JSON.parse(readFileSync(path.join(runDir, '.lock'), 'utf8')).pid).toBe(process.pid);
    await (third as { lock: { release(): Promise<void> } }).lock.release();
    expect(existsSync(path.join(runDir, '.lock'))).toBe(false);
  }, 30_000);

  it('a process that exits without releasing frees the folder', async () => {
    const runDir = path.join(dir, 'r');
    const child = await holder(runDir);
    child.kill('SIGTERM'); // default SIGTERM handling ends the process without 'exit' handlers either
    await new Promise((r) => child.once('exit', r));
    const again = await lockRunFolder(runDir);
    expect('lock' in again).toBe(true);
    await (again as { lock: { release(): Promise<void> } }).lock.release();
  }, 30_000);

  it('respects a lock held on another host (its pid cannot be checked from here)', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.lock'), JSON.stringify({ pid: 1, host: 'elsewhere.example', since: '2026-01-01T00:00:00Z' }));
    const r = await lockRunFolder(dir);
    expect('diagnostic' in r && r.diagnostic.code).toBe('DLM5074');
    const message = (r as { diagnostic: { message: string } }).diagnostic.message;
    expect(message).toContain('elsewhere.example');
    expect(message).toContain('cannot check from this host');
    expect(message).toContain(`delete the lock file '${path.join(dir, '.lock')}'`);
    // Deleting the lock file, as the message says, takes the folder over.
    rmSync(path.join(dir, '.lock'));
    const taken = await lockRunFolder(dir);
    expect('lock' in taken).toBe(true);
    await (taken as { lock: { release(): Promise<void> } }).lock.release();
  });

  // Root writes anywhere, so permissions prove nothing there; the file-in-the-way case below runs everywhere.
  it.skipIf(process.getuid?.() === 0)('an unwritable run folder is found before training, as a sentence with the path', async () => {
    const ro = path.join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const r = await lockRunFolder(path.join(ro, 'runs'));
    chmodSync(ro, 0o700);
    expect('diagnostic' in r && r.diagnostic.code).toBe('DLM5073');
    expect((r as { diagnostic: { message: string } }).diagnostic.message).toMatch(/permission denied for '.*ro\/runs'/);
  });

  it('a file where the run folder should be is a sentence, not a raw EEXIST/ENOTDIR', async () => {
    writeFileSync(path.join(dir, 'file'), 'x');
    const r = await lockRunFolder(path.join(dir, 'file', 'runs'));
    expect('diagnostic' in r && r.diagnostic.code).toBe('DLM5073');
    expect((r as { diagnostic: { message: string } }).diagnostic.message).not.toMatch(/ENOTDIR|EEXIST/);
    expect(describeFsError(Object.assign(new Error('EEXIST: file already exists, mkdir'), { code: 'EEXIST', path: '/x/y' }), '/x')).toBe("'/x/y' already exists and is in the way.");
  });

  it('removes the .tmp-epoch-* folders a killed run left behind', async () => {
    mkdirSync(path.join(dir, '.tmp-epoch-3-123-abcd'), { recursive: true });
    writeFileSync(path.join(dir, '.tmp-epoch-3-123-abcd', 'weights.safetensors'), 'half');
    writeFileSync(path.join(dir, '.last.tmp'), 'epoch-3');
    mkdirSync(path.join(dir, 'epoch-2'));
    expect(await removeLeftovers(dir)).toEqual(['.last.tmp', '.tmp-epoch-3-123-abcd']);
    expect(existsSync(path.join(dir, 'epoch-2'))).toBe(true);
    expect(existsSync(path.join(dir, '.tmp-epoch-3-123-abcd'))).toBe(false);
  });
});
