import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDeps, findImports } from '../check-deps.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, '..', 'check-deps.mjs');
const fixtures = path.join(here, 'fixtures');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: fixtures, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('check-deps', () => {
  it('passes a workspace that follows the layer rules', () => {
    const r = run(['--root', 'good']);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/check-deps: OK \(4 package\(s\)/);
    expect(r.status).toBe(0);
  });

  it('fails on a violating workspace and prints file:line: message', () => {
    const r = run(['--root', 'bad']);
    expect(r.status).toBe(1);
    const lines = r.out.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^[^:]+:\d+: /);
    const has = (re: RegExp) => expect(lines.some((l) => re.test(l)), `expected a line matching ${re}\n${r.out}`).toBe(true);
    has(/^bad\/packages\/core\/src\/index\.ts:1: import '@dlm\/language': layer:core/);
    has(/^bad\/packages\/core\/package\.json:5: dependencies lists @dlm\/language/);
    has(/^bad\/packages\/tfjs\/package\.json:6: dependencies lists @dlm\/language: layer:backend/);
    has(/^bad\/packages\/tfjs\/src\/index\.ts:1: import '@dlm\/language': layer:backend/);
    has(/^bad\/packages\/tfjs\/src\/index\.ts:2: deep import '@dlm\/core\/src\/ir\.js'/);
    has(/^bad\/packages\/tfjs\/src\/index\.ts:5: relative import '\.\.\/\.\.\/core\/src\/index\.js' escapes/);
    has(/^bad\/packages\/tfjs\/src\/index\.ts:6: import 'left-pad': .*devDependency/);
    has(/^bad\/packages\/tfjs\/src\/index\.ts:7: import 'chalk': chalk is not declared/);
    has(/^bad\/packages\/tfjs\/src\/index\.ts:10: import '@dlm\/language'/);
    has(/^bad\/packages\/untagged\/package\.json:1: .*layer tag/);
    // the commented-out import in language/src/index.ts is ignored
    expect(r.out).not.toMatch(/language\/src\/index\.ts/);
    expect(lines).toHaveLength(10);
  });

  it('keeps the "." entry of a layer:train package browser-safe: Node built-ins only under src/node/', () => {
    const r = run(['--root', 'train-layer']);
    expect(r.status).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^train-layer\/packages\/train\/src\/index\.ts:2: import 'node:fs\/promises': the "\." entry of @dlm\/train must stay browser-safe/)]);
  });

  it('--package checks only that package', () => {
    const r = run(['--package', 'bad/packages/language']);
    expect(r.status).toBe(0);
    expect(run(['--package', 'bad/packages/tfjs']).status).toBe(1);
  });

  it('exposes the checker as a function', () => {
    const { violations } = checkDeps({ root: path.join(fixtures, 'bad') });
    expect(violations.length).toBe(10);
  });

  it('finds every import form, with lines, ignoring comments and strings', () => {
    const src = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "export * from './c.js';",
      "import 'd';",
      "const e = await import('e');",
      "const f = require('f');",
      "// import g from 'g';",
      "const h = \"import h from 'h'\";",
      "export {",
      "  i,",
      "} from 'i';",
    ].join('\n');
    expect(findImports(src)).toEqual([
      { spec: 'a', line: 1, typeOnly: false },
      { spec: 'b', line: 2, typeOnly: true },
      { spec: './c.js', line: 3, typeOnly: false },
      { spec: 'd', line: 4, typeOnly: false },
      { spec: 'e', line: 5, typeOnly: false },
      { spec: 'f', line: 6, typeOnly: false },
      { spec: 'i', line: 11, typeOnly: false },
    ]);
  });
});
