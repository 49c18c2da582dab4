/** In-process runs of the `dlm` command with captured output, plus golden files and temp dirs. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectGolden as compareGolden } from '@dlm/test-utils';
import { afterAll } from 'vitest';
import { runCli, type CliIO } from '../src/index.js';

export const TEST_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(TEST_DIR, '../../..');
export const FIXTURES = join(TEST_DIR, 'fixtures');
export const PLUGIN_FIXTURES = join(FIXTURES, 'plugins');
export const EXTRAS_DIR = join(REPO_ROOT, 'examples/plugins/dlm-plugin-extras');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** What standard input holds (for `-`). */
  stdin?: string;
  /** Whether stderr is a terminal. Default false. */
  isTTY?: boolean;
}

/** Runs `dlm <argv>` in `cwd` (default: the repo root), by default as a non-terminal. */
export async function dlm(argv: string[], cwd = REPO_ROOT, env: Record<string, string> = {}, opts: RunOptions = {}): Promise<Run> {
  const { stdoutBytes: _bytes, ...run } = await dlmBinary(argv, cwd, env, opts);
  return run;
}

/** `dlm` with stdout also as bytes (binary outputs such as `export -o -`). */
export async function dlmBinary(argv: string[], cwd = REPO_ROOT, env: Record<string, string> = {}, opts: RunOptions = {}): Promise<Run & { stdoutBytes: Buffer }> {
  const out: Buffer[] = [];
  let stderr = '';
  const io: CliIO = {
    cwd,
    stdout: (t) => void out.push(typeof t === 'string' ? Buffer.from(t, 'utf8') : Buffer.from(t)),
    stderr: (t) => (stderr += t),
    isTTY: opts.isTTY ?? false,
    env,
    ...(opts.stdin !== undefined ? { readStdin: async () => opts.stdin! } : {}),
  };
  const code = await runCli(argv, io);
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr };
}

/** Compares with test/golden/<name> through the shared helper (a missing golden fails; UPDATE=1 writes). */
export function expectGolden(name: string, actual: string): void {
  compareGolden(join(TEST_DIR, 'golden', name), actual);
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A fresh temp dir holding `files` (path → text), removed after the test file. */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-cli-test-'));
  temps.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}
