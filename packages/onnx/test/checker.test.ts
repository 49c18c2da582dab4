/** The checker wrapper itself: it must reject a broken model, or the checker tests prove nothing. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeNode, makeValueInfo, onnx, PRODUCER_VERSION } from '../src/index.js';
import { REPO_ROOT, runChecker } from './helpers/run.js';

function model(nodes: ReturnType<typeof makeNode>[], outputShape: number[]): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'g',
    node: nodes,
    input: [makeValueInfo('x', 'f32', ['batch', 4])],
    output: [makeValueInfo('y', 'f32', ['batch', ...outputShape])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph })).finish();
}

it('accepts a valid model', () => {
  const r = runChecker({ valid: model([makeNode('Relu', ['x'], ['y'], 'relu')], [4]) });
  expect(r.status, r.output).toBe(0);
});

it('rejects a node reading an undefined value', () => {
  const r = runChecker({ dangling: model([makeNode('Relu', ['nowhere'], ['y'], 'relu')], [4]) });
  expect(r.status).toBe(1);
  expect(r.output).toMatch(/^error: .*dangling\.onnx: .*nowhere/m);
});

it('rejects a declared output shape that strict shape inference contradicts (full_check)', () => {
  const r = runChecker({ shapes: model([makeNode('Relu', ['x'], ['y'], 'relu')], [5]) });
  expect(r.status).toBe(1);
  expect(r.output).toMatch(/^error: /m);
});

it('reports the package version as producer_version by default', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/onnx/package.json'), 'utf8')) as { version: string };
  expect(PRODUCER_VERSION).toBe(pkg.version);
});
