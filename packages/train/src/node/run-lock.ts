/**
 * One writer per run folder. `dlm train` holds `runDir/.lock` (pid, host, start time) while it
 * runs; a second run is refused with DLM5068 naming the owner. A lock whose owner is dead (same
 * host, no such pid) is stale and taken over, so a `kill -9` never blocks the folder for good.
 * An owner on another host (a shared file system) cannot be checked: DLM5074 says so and that
 * deleting the lock file takes the folder over (deliberately a manual step, not a flag that a
 * script would pass every time).
 * The lock file is created with O_EXCL (`wx`), which is atomic on local file systems.
 *
 * Taking the lock is also the check that the folder is usable: it creates the folder and writes a
 * file in it before any training starts (DLM5073 otherwise).
 */
import { promises as fs, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diag, type Diagnostic } from '@dlm/core';

const LOCK = '.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface RunLock {
  /** Removes the lock file (idempotent). */
  release(): Promise<void>;
}

/** A Node file-system error as a sentence with its path; other errors as their message. */
export function describeFsError(e: unknown, where: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const at = (e as NodeJS.ErrnoException | undefined)?.path ?? where;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied for '${at}'.`;
    case 'EROFS':
      return `'${at}' is on a read-only file system.`;
    case 'ENOSPC':
      return `the disk holding '${at}' is full.`;
    case 'EDQUOT':
      return `the disk quota for '${at}' is exhausted.`;
    case 'ENOTDIR':
      return `a part of the path '${at}' is a file, not a folder.`;
    case 'EEXIST':
      return `'${at}' already exists and is in the way.`;
    case 'ENOENT':
      return `'${at}' does not exist (was it removed while dlm was using it?).`;
    case 'ENOTEMPTY':
      return `'${at}' is not empty (another process may be writing into this run folder).`;
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const o = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') return { pid: o.pid, host: o.host, since: String(o.since ?? '?') };
  } catch {
    /* vanished or half-written: treated as no owner below */
  }
  return undefined;
}

/**
 * Takes the lock of `runDir`, creating the folder. Returns the lock, or the diagnostic that says
 * why not (DLM5068: held by a live process; DLM5073: the folder cannot be written).
 */
export async function lockRunFolder(runDir: string): Promise<{ lock: RunLock } | { diagnostic: Diagnostic }> {
  const file = path.join(runDir, LOCK);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  try {
    await fs.mkdir(runDir, { recursive: true });
  } catch (e) {
    return { diagnostic: diag('DLM5073', [runDir, describeFsError(e, runDir)]) };
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(me) + '\n', { flag: 'wx' });
      let released = false;
      // A crash path that skips release() (uncaught error, process.exit) still frees the folder.
      const onExit = (): void => {
        if (!released) try { unlinkSync(file); } catch { /* already gone */ }
      };
      process.once('exit', onExit);
      return {
        lock: {
          async release() {
            if (released) return;
            released = true;
            process.removeListener('exit', onExit);
            await fs.rm(file, { force: true });
          },
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { diagnostic: diag('DLM5073', [runDir, describeFsError(e, file)]) };
    }
    const owner = await readOwner(file);
    // Stale: the owner ran on this host and is gone. An owner on another host cannot be checked, so it is respected.
    if (owner && owner.host !== me.host) return { diagnostic: diag('DLM5074', [runDir, owner.pid, owner.host, owner.since, file]) };
    if (owner && alive(owner.pid)) return { diagnostic: diag('DLM5068', [runDir, owner.pid, owner.host, owner.since]) };
    await fs.rm(file, { force: true });
  }
  return { diagnostic: diag('DLM5073', [runDir, `the lock file '${file}' keeps reappearing (another process is racing for this folder).`]) };
}

/**
 * Removes what a killed run leaves behind: `.tmp-epoch-*` folders and the `.last.tmp` pointer.
 * Only call while holding the lock (otherwise these may be another run's writes in progress).
 * Returns the names removed, for the log.
 */
export async function removeLeftovers(runDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(runDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (n.startsWith('.tmp-epoch-') || n === '.last.tmp') {
      await fs.rm(path.join(runDir, n), { recursive: true, force: true });
      removed.push(n);
    }
  }
  return removed.sort();
}
