/**
 * dlm installed as a user installs it: every package is packed (`npm pack`, as published) and
 * installed from the tarballs into a temporary project outside the workspace; then `npx dlm`
 * checks, summarizes, trains one epoch, exports and draws a small model. First only the language
 * packages and the CLI are installed (slim: no tfjs, onnx, mermaid or playwright, and the heavy
 * commands say what to install), then the backends. Third-party packages come from npm's cache
 * (`--prefer-offline`). Needs the packages built (dist/), as after `npm ci`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../test-support/system-tools.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// @dlm/train and @dlm/report import only @dlm/core: the CLI depends on them, the runtime is the heavy part.
const SLIM = ['packages/core', 'packages/language', 'packages/datasets', 'packages/plugin-std', 'packages/plugin-loader', 'packages/report', 'packages/train', 'apps/cli'];
const BACKENDS = ['packages/tfjs', 'packages/onnx', 'packages/mermaid'];
const HEAVY = ['@tensorflow', 'webgpu', 'mermaid', 'playwright-core', 'onnx-proto', 'protobufjs', '@dlm/tfjs', '@dlm/onnx', '@dlm/mermaid'];

const work = mkdtempSync(join(tmpdir(), 'dlm-install-'));
const project = join(work, 'project');
const tarballs = new Map<string, string>();

/**
 * The environment without npm's per-run settings (npm test exports npm_config_*) and without
 * colour forcing (nx sets FORCE_COLOR for the tasks it streams), so dlm's output is plain text.
 */
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'FORCE_COLOR')), NO_COLOR: '1' };

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}

function npm(args: string[], cwd: string): void {
  const r = run('npm', args, cwd);
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
}

const dlm = (...args: string[]) => run('npx', ['--no-install', 'dlm', ...args], project);

function installed(name: string): boolean {
  return existsSync(join(project, 'node_modules', name));
}

beforeAll(() => {
  for (const dir of [...SLIM, ...BACKENDS]) {
    const r = run('npm', ['pack', '--json', '--pack-destination', work], join(ROOT, dir));
    if (r.status !== 0) throw new Error(`npm pack in ${dir} failed:\n${r.stderr}`);
    tarballs.set(dir, join(work, (JSON.parse(r.stdout) as { filename: string }[])[0]!.filename));
  }
  run('mkdir', ['-p', project], work);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'dlm-user', version: '1.0.0', private: true, type: 'module' }));
  for (const f of ['mlp.dlm', 'points.csv']) copyFileSync(join(ROOT, 'examples/mlp', f), join(project, f));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...SLIM.map((d) => tarballs.get(d)!)], project);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

/** Each `npx dlm` starts Node (seconds on a loaded machine). */
const T = 120_000;

describe('installed from tarballs: language and CLI only', () => {
  it('pulls in no tfjs, webgpu, mermaid, playwright or onnx', () => {
    expect(readdirSync(join(project, 'node_modules', '@dlm')).sort()).toEqual(['cli', 'core', 'datasets', 'language', 'plugin-loader', 'plugin-std', 'report', 'train']);
    for (const h of HEAVY) expect(installed(h), h).toBe(false);
  }, T);

  it('dlm check, summary, compile and fmt work', () => {
    const check = dlm('check', 'mlp.dlm');
    expect(check.status, check.stderr).toBe(0);
    const summary = dlm('summary', 'mlp.dlm');
    expect(summary.status, summary.stderr).toBe(0);
    expect(summary.stdout).toContain('Total params: 337');
    expect(dlm('compile', 'mlp.dlm').stdout).toContain('"irVersion"');
    expect(dlm('fmt', '--check', 'mlp.dlm').status).toBe(0);
  }, T);

  it('train, export and diagram say which package to install', () => {
    for (const [cmd, pkg] of [['train', '@dlm/tfjs'], ['export', '@dlm/onnx'], ['diagram', '@dlm/mermaid']] as const) {
      const r = dlm(cmd, 'mlp.dlm');
      expect(r.status, cmd).toBe(1);
      expect(r.stderr).toContain(`error[DLM9005]: Install ${pkg} to`);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  }, T);
});

describe('installed from tarballs: with the backends', () => {
  beforeAll(() => {
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...BACKENDS.map((d) => tarballs.get(d)!)], project);
  }, 300_000);

  it('npx dlm train --epochs 1 trains and writes a checkpoint and report', () => {
    const r = dlm('train', 'mlp.dlm', '--epochs', '1', '--backend', 'cpu');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(project, 'runs/mlp/report.html'))).toBe(true);
    expect(existsSync(join(project, 'runs/mlp/last'))).toBe(true);
  }, T);

  it('npx dlm export writes ONNX from the checkpoint', () => {
    const r = dlm('export', 'mlp.dlm', '--checkpoint', 'runs/mlp/last', '-o', 'mlp.onnx');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*mlp\.onnx \(Mlp, opset 17/);
  }, T);

  it('npx dlm diagram writes Mermaid text', () => {
    const r = dlm('diagram', 'mlp.dlm');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^flowchart TB/m);
  }, T);

  it('npx dlm diagram -o mlp.svg renders with Chromium', (ctx) => {
    needs('chromium')(ctx);
    const r = dlm('diagram', 'mlp.dlm', '-o', 'mlp.svg');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(project, 'mlp.svg'))).toBe(true);
  }, T);
});
