/**
 * The command-line conventions users rely on (issue 14): colour follows the stream it is written
 * to, NO_COLOR/FORCE_COLOR/TERM=dumb; `-` for stdin and `-o -` for stdout; directories and quoted
 * globs; check --json and --format github; fmt --write; help <command>; -V.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJSON } from '@dlm/core';
import { onnx } from '@dlm/onnx';
import { shouldColor } from '../src/color.js';
import { dlm, dlmBinary, REPO_ROOT, tempDir } from './helpers.js';

const ESC = '\u001b[';
const BAD = 'model M {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  y = x |> dense(3)\n}\n';
const GOOD = 'model M {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  y = x |> dense(2)\n}\n';
const MESSY = 'model M {\ninput x: f32[batch, 4]\n    output y: f32[batch, 2]\n  y = x |>   dense(2)\n}\n';

describe('colour', () => {
  const bad = () => tempDir({ 'bad.dlm': BAD });
  it('follows stderr (where diagnostics go), not stdout', async () => {
    const dir = bad();
    expect((await dlm(['check', 'bad.dlm'], dir, {}, { isTTY: false })).stderr).not.toContain(ESC);
    expect((await dlm(['check', 'bad.dlm'], dir, {}, { isTTY: true })).stderr).toContain(ESC);
  });

  it('the training progress line is redrawn only on a terminal that is not TERM=dumb; plain lines otherwise', async () => {
    const run = async (env: Record<string, string>, isTTY: boolean) => {
      const runDir = tempDir();
      const r = await dlm(['train', 'examples/mlp/mlp.dlm', '--backend', 'cpu', '--epochs', '1', '--run-dir', runDir], REPO_ROOT, env, { isTTY });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/epoch 1\/1 +loss /);
      return r.stderr;
    };
    expect(await run({}, true)).toContain('\r' + ESC + '2K');
    for (const [env, tty] of [[{ TERM: 'dumb' }, true], [{}, false], [{ FORCE_COLOR: '1' }, false]] as const) {
      const err = await run(env, tty);
      expect(err, JSON.stringify(env)).not.toContain('\r');
      expect(err, JSON.stringify(env)).not.toContain(ESC);
    }
  }, 120_000);

  it('NO_COLOR only when non-empty; FORCE_COLOR; TERM=dumb; flags win', async () => {
    const dir = bad();
    const colored = async (env: Record<string, string>, isTTY: boolean, flags: string[] = []) =>
      (await dlm(['check', 'bad.dlm', ...flags], dir, env, { isTTY })).stderr.includes(ESC);
    expect(await colored({ NO_COLOR: '1' }, true)).toBe(false);
    expect(await colored({ NO_COLOR: '' }, true)).toBe(true);
    expect(await colored({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(await colored({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(await colored({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(await colored({ TERM: 'dumb' }, true)).toBe(false);
    expect(await colored({ NO_COLOR: '1' }, false, ['--color'])).toBe(true);
    expect(await colored({ FORCE_COLOR: '1' }, true, ['--no-color'])).toBe(false);
  });

  it('shouldColor: the precedence in one place', () => {
    expect(shouldColor(true, {})).toBe(true);
    expect(shouldColor(false, {})).toBe(false);
    expect(shouldColor(true, { FORCE_COLOR: 'false' })).toBe(false);
    expect(shouldColor(false, { FORCE_COLOR: '3', NO_COLOR: '1' })).toBe(true);
  });
});

describe("'-' is standard input and '-o -' standard output", () => {
  it('check - names <stdin> in its diagnostics', async () => {
    const r = await dlm(['check', '-'], REPO_ROOT, {}, { stdin: BAD });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--> <stdin>:4:3');
    expect((await dlm(['check', '-'], REPO_ROOT, {}, { stdin: GOOD })).code).toBe(0);
  });

  it('summary -, compile -, diagram - and fmt - read stdin', async () => {
    const s = await dlm(['summary', '-'], REPO_ROOT, {}, { stdin: GOOD });
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('Total params: 10');
    const c = await dlm(['compile', '-', '-o', '-'], REPO_ROOT, {}, { stdin: GOOD });
    expect(c.code).toBe(0);
    expect(fromJSON(c.stdout).models[0]?.name).toBe('M');
    const d = await dlm(['diagram', '-', '-o', '-'], REPO_ROOT, {}, { stdin: GOOD });
    expect(d.stdout).toMatch(/^flowchart TB/m);
    const f = await dlm(['fmt', '-'], REPO_ROOT, {}, { stdin: MESSY });
    expect(f.code).toBe(0);
    expect(f.stdout).toBe(GOOD);
    const fc = await dlm(['fmt', '--check', '-'], REPO_ROOT, {}, { stdin: MESSY });
    expect(fc).toEqual({ code: 1, stdout: '<stdin>: not formatted\n', stderr: '' });
  });

  it('export - -o - writes the ONNX bytes to stdout and its message to stderr', async () => {
    const r = await dlmBinary(['export', '-', '--initial', '-o', '-'], tempDir(), {}, { stdin: GOOD });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote the model to stdout \(M, opset 17/);
    const model = onnx.ModelProto.decode(r.stdoutBytes);
    expect(model.graph?.node?.map((n) => n.opType)).toContain('Gemm');
  });

  it("'-' twice is refused", async () => {
    const r = await dlm(['check', '-', '-'], REPO_ROOT, {}, { stdin: GOOD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("standard input ('-') can be given only once");
  });
});

describe('directories and quoted globs', () => {
  it('dlm check examples checks every .dlm file under it', async () => {
    const r = await dlm(['check', 'examples', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    const dir = tempDir({ 'a/one.dlm': GOOD, 'a/b/two.dlm': BAD, 'a/node_modules/x/three.dlm': BAD });
    const bad = await dlm(['check', 'a', '--json'], dir);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).map((d: { file: string }) => d.file)).toEqual(['a/b/two.dlm']);
  });

  it('a quoted glob is expanded by dlm (sorted), and one that matches nothing is an error', async () => {
    const dir = tempDir({ 'm/one.dlm': GOOD, 'm/deep/two.dlm': MESSY, 'm/three.txt': 'x' });
    const r = await dlm(['fmt', '--check', 'm/**/*.dlm'], dir);
    expect(r).toEqual({ code: 1, stdout: 'm/deep/two.dlm: not formatted\n', stderr: '' });
    const none = await dlm(['check', 'nothing/**/*.dlm'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no files match 'nothing/**/*.dlm'");
    expect((await dlm(['fmt', '--check', 'examples/**/*.dlm'])).code).toBe(0);
  });
});

describe('check --json and --format github', () => {
  it('--json: code, severity, file, range, message, notes', async () => {
    const dir = tempDir({ 'bad.dlm': BAD });
    const r = await dlm(['check', 'bad.dlm', '--json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      {
        code: 'DLM3003',
        severity: 'error',
        file: 'bad.dlm',
        range: { start: { line: 4, column: 3 }, end: { line: 4, column: 4 } },
        message: "Output 'y' is declared as f32[batch, 2] but the model computes f32[batch, 3].",
        notes: [{ message: "the value was produced by dense 'dense_1'", file: 'bad.dlm', range: { start: { line: 4, column: 12 }, end: { line: 4, column: 20 } } }],
      },
    ]);
  });

  it('--format github prints workflow annotations', async () => {
    const dir = tempDir({ 'bad.dlm': BAD });
    const r = await dlm(['check', 'bad.dlm', '--format', 'github'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      "::error file=bad.dlm,line=4,col=3,endLine=4,endColumn=4,title=DLM3003::Output 'y' is declared as f32[batch, 2] but the model computes f32[batch, 3].%0Anote: the value was produced by dense 'dense_1' (bad.dlm:4:12)\n",
    );
    expect((await dlm(['check', 'bad.dlm', '--format', 'xml'], dir)).code).toBe(2);
  });
});

describe('fmt --write, help <command>, -V', () => {
  it('fmt --write rewrites; --write with --check is refused', async () => {
    const dir = tempDir({ 'm.dlm': MESSY });
    expect(await dlm(['fmt', '--write', 'm.dlm'], dir)).toEqual({ code: 0, stdout: 'formatted m.dlm\n', stderr: '' });
    expect(readFileSync(join(dir, 'm.dlm'), 'utf8')).toBe(GOOD);
    const both = await dlm(['fmt', '--write', '--check', 'm.dlm'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--write and --check cannot be used together');
  });

  it('dlm help check shows the flags with their help and defaults; dlm help nope is an error', async () => {
    const r = await dlm(['help', 'check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: dlm check');
    expect(r.stdout).toMatch(/--format <value>\s+text \(code frames on stderr\), json, or github .*\(default: text\)/);
    expect(r.stdout).toMatch(/--json\s+print diagnostics as a JSON array/);
    expect((await dlm(['help', 'export'])).stdout).toMatch(/--opset <n>\s+ONNX opset, 13 to 17 \(default: 17\)/);
    expect((await dlm(['help', 'diagram'])).stdout).toContain('$DLM_CHROMIUM');
    expect((await dlm(['--help'])).stdout).toContain('DLM_CHROMIUM');
    const nope = await dlm(['help', 'chek']);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toContain("Did you mean 'check'?");
  });

  it('-V and --version print the version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/cli/package.json'), 'utf8')) as { version: string };
    expect(await dlm(['-V'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect((await dlm(['--version'])).stdout).toBe(`${pkg.version}\n`);
  });
});
