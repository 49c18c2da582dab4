import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDeps, findComputedImports, findImports, PINNED_DEEP_IMPORTS } from '../check-deps.mjs';

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
    has(/^bad\/packages\/tfjs\/src\/index\.ts:1: import '@dlm\/language': backends lower the IR and never import @dlm\/language or @dlm\/plugin-std/);
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

  it('each new rule fails on its violation, and the allowed forms pass', () => {
    const r = run(['--root', 'rules']);
    expect(r.status).toBe(1);
    const lines = r.out.trim().split('\n');
    const has = (re: RegExp) => expect(lines.some((l) => re.test(l)), `expected a line matching ${re}\n${r.out}`).toBe(true);
    // apps never import apps, neither in src nor in package.json; apps live in apps/ tagged layer:app
    has(/^rules\/apps\/host-a\/src\/index\.ts:2: import '@dlm\/host-b': apps never import apps/);
    has(/^rules\/apps\/host-a\/package\.json:4: dependencies lists @dlm\/host-b: apps never import apps/);
    has(/^rules\/apps\/misplaced\/package\.json:1: @dlm\/misplaced lives in apps\/ but is tagged layer:frontend/);
    has(/^rules\/packages\/host-c\/package\.json:1: @dlm\/host-c is tagged layer:app but lives outside apps\//);
    // backends never import plugin-std (even a type-only import of a devDependency)
    has(/^rules\/packages\/backend\/src\/index\.ts:2: import '@dlm\/plugin-std': backends lower the IR and never import/);
    // deep imports into third-party build output, also through require.resolve; unpinned here
    has(/^rules\/packages\/backend\/src\/index\.ts:3: deep import 'somelib\/dist\/internal\.js' reaches into somelib's build output/);
    has(/^rules\/packages\/backend\/src\/index\.ts:4: deep import 'pinned-lib\/dist\/file\.js' reaches into/);
    has(/^rules\/packages\/backend\/src\/index\.ts:6: deep import 'somelib\/lib\/bundle\.min\.js'/);
    // computed import(): reported without the opt-out, and with an opt-out that gives no reason
    has(/^rules\/packages\/backend\/src\/index\.ts:11: import\(\) of a computed specifier/);
    has(/^rules\/packages\/backend\/src\/index\.ts:13: import\(\) of a computed specifier/);
    // a test helper (layer:test) is a devDependency only
    has(/^rules\/apps\/host-b\/package\.json:4: dependencies lists @dlm\/test-helpers: @dlm\/test-helpers is a test helper \(layer:test\)/);
    has(/^rules\/apps\/host-b\/src\/index\.ts:1: import '@dlm\/test-helpers': .*devDependencies only/);
    // an unused dependency
    has(/^rules\/packages\/backend\/package\.json:8: dependencies lists unused-lib, which src\/ never imports/);
    // …and nothing else: the commented opt-out (line 15), the literal template import (line 16), the
    // type-only use of a dependency, a test helper as a devDependency and the used dependencies pass
    expect(lines).toHaveLength(13);
  });

  it('a deep import passes when a test that names it pins it, and fails when the pin is not real', () => {
    const root = path.join(fixtures, 'rules');
    const backend = (pins: { spec: string; test: string; why: string }[]) =>
      checkDeps({ root, packageDirs: [path.join(root, 'packages/backend')], pins }).violations.map((v) => `${v.line}: ${v.message}`);
    const pinned = backend([{ spec: 'pinned-lib/dist/file.js', test: 'packages/backend/test/pin.test.ts', why: 'fixture' }]);
    expect(pinned.filter((m) => m.includes('pinned-lib'))).toEqual([]);
    const stale = backend([{ spec: 'pinned-lib/dist/file.js', test: 'packages/backend/test/missing.test.ts', why: 'fixture' }]);
    expect(stale.filter((m) => m.includes('pinned-lib'))).toEqual([
      "4: deep import 'pinned-lib/dist/file.js' is pinned to packages/backend/test/missing.test.ts, but that test does not exist or does not name 'pinned-lib/dist/file.js'",
    ]);
  });

  it("the repository's own pins are real tests that name their path", () => {
    const root = path.join(here, '..', '..');
    for (const pin of PINNED_DEEP_IMPORTS) {
      expect(readFileSync(path.join(root, pin.test), 'utf8'), pin.test).toContain(pin.spec);
    }
  });

  it('finds computed import() calls and honours the commented opt-out only with a reason', () => {
    const src = [
      'const a = await import(url);',
      "const b = await import('literal');",
      'const c = await import(`./x.js`);',
      'const d = await import(`./${name}.js`);',
      '// check-deps: computed-import the plugin loader imports user plugins',
      'const e = await import(url);',
      'const f = await import(url); // check-deps: computed-import workers re-import plugins',
      '// check-deps: computed-import',
      'const g = await import(url);',
      "const h = 'import(url)';",
    ].join('\n');
    expect(findComputedImports(src)).toEqual([1, 4, 9]);
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
