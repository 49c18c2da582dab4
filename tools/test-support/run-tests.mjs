#!/usr/bin/env node
// `npm test`: nx runs typecheck, lint and test of every project (each project's Vitest writes its
// skips to <project>/.test-skips.json instead of printing them), then one summary of the tests
// skipped for a missing system tool is printed for the whole run, whatever the outcome.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSkipSummary, SKIPS_FILE } from './skip-format.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function projectDirs() {
  const dirs = [path.join(root, 'tools')];
  for (const group of ['packages', 'apps', 'examples/plugins']) {
    const base = path.join(root, group);
    if (existsSync(base)) for (const d of readdirSync(base, { withFileTypes: true })) if (d.isDirectory()) dirs.push(path.join(base, d.name));
  }
  return dirs;
}

// Files of an earlier run must not count; nx restores the file of a project it replays from cache.
for (const d of projectDirs()) rmSync(path.join(d, SKIPS_FILE), { force: true });

const nx = spawnSync('npx', ['nx', 'run-many', '-t', 'typecheck', 'lint', 'test', '--outputStyle=stream', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, DLM_SKIP_SUMMARY_FILES: '1' },
  shell: process.platform === 'win32',
});

const counts = {};
for (const d of projectDirs()) {
  const file = path.join(d, SKIPS_FILE);
  if (!existsSync(file)) continue;
  for (const [note, n] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) counts[note] = (counts[note] ?? 0) + n;
}
process.stdout.write(formatSkipSummary(counts));
process.exit(nx.status ?? 1);
