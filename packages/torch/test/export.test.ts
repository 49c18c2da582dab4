/**
 * The exporter without Python: the feasibility pass (located diagnostics, nothing written), the
 * naming rule, and the readable shape of the generated MNIST module.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '@dlm/core';
import { TestGraph } from '../../onnx/test/helpers/build.js';
import { checkTorchLowerable, exportPytorch, render, py } from '../src/index.js';
import { exampleModels } from './helpers/env.js';
import { findTorchPython } from '../src/node.js';

describe('feasibility pass', () => {
  it('reports every node it cannot lower, at its .dlm line, and writes nothing', () => {
    const g = new TestGraph('Bad');
    const x = g.input('x', ['batch', 2, 6, 6]);
    const a = g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] })[0]!;
    const r = g.op('Resize', [a], { scales: [1, 1, 2, 2], mode: 'linear', coordinate_transformation_mode: 'asymmetric' })[0]!;
    g.output('y', r);
    const graph = g.finish();
    const { result, diagnostics } = exportPytorch(graph);
    expect(result).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.span?.line])).toEqual([
      ['DLM6102', graph.nodes[0]!.span!.line],
      ['DLM6102', graph.nodes[1]!.span!.line],
    ]);
    expect(formatDiagnostics(diagnostics)).toMatch(/count_include_pad=0/);
    expect(formatDiagnostics(diagnostics)).toMatch(/asymmetric' has no PyTorch equivalent/);
  });

  it('rejects an op without a lowering (DLM6101) and a parameter name a module cannot hold (DLM6103)', () => {
    const g = new TestGraph('Odd');
    const x = g.input('x', ['batch', 4]);
    g.output('y', g.layer('shift', [x], (ctx, [v]) => ctx.op('Add', [v!, ctx.param('training', [4], { kind: 'zeros', args: {} })]))[0]!);
    const graph = g.finish();
    const patched = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, op: 'NotAnOp' })) };
    expect(checkTorchLowerable(patched).map((d) => d.code)).toEqual(['DLM6101', 'DLM6103']);
    expect(formatDiagnostics(checkTorchLowerable(graph))).toMatch(/'training' is already an attribute of torch.nn.Module/);
  });
});

describe('generated module', () => {
  const mnist = exampleModels().find((m) => m.graph.name === 'MnistCnn')!.graph;
  const source = exportPytorch(mnist).result!;

  it('names parameters after the .dlm scopes (state_dict keys = dlm checkpoint names)', () => {
    for (const p of mnist.params) expect(source).toContain(`self.${p.name} = nn.Parameter(torch.empty(${(p.type.shape as number[]).join(', ')}))`);
  });

  it('writes forward as one op per line with a pointer back to the .dlm line', () => {
    const forward = source.slice(source.indexOf('def forward(self, image):'), source.indexOf('return logits'));
    const lines = forward.split('\n').slice(1).filter((l) => l.trim());
    expect(lines).toHaveLength(mnist.nodes.length);
    for (const l of lines) expect(l).toMatch(/^ {8}\w+ = .+ {2}# .+, mnist_cnn\.dlm:\d+$/);
    expect(lines[0]).toBe('        conv2d_1 = F.conv2d(image, self.conv2d_1.weight, self.conv2d_1.bias)  # conv2d 10×5×5, mnist_cnn.dlm:9');
    expect(source).toContain('logits = F.log_softmax(dense_2, dim=-1)  # log_softmax, mnist_cnn.dlm:21');
  });

  it('renders Python literals and precedence like Python', () => {
    expect(render(py.call('f', [1, 0.5, 'it\'s', true, null, [1, 2]], { eps: py.float(1), dim: py.tuple([2, 3]) }))).toBe("f(1, 0.5, 'it\\'s', True, None, [1, 2], eps=1.0, dim=(2, 3))");
    expect(render(py.bin('*', py.bin('+', py.name('a'), py.name('b')), py.bin('-', py.name('c'), py.name('d'))))).toBe('(a + b) * (c - d)');
    expect(render(py.bin('-', py.name('a'), py.bin('-', py.name('b'), py.name('c'))))).toBe('a - (b - c)');
  });
});

describe('finding Python', () => {
  it('names every interpreter it tried and how to get torch', () => {
    const r = findTorchPython({ python: '/nonexistent/python3' });
    expect(r.result).toBeUndefined();
    const text = formatDiagnostics(r.diagnostics);
    expect(text).toContain('DLM6104');
    expect(text).toContain('/nonexistent/python3 (--python): not found');
    expect(text).toContain('apt-get install python3-torch');
    expect(text).toContain('pip install torch');
  });

  it('DLM_PYTHON is used when --python is absent', () => {
    const r = findTorchPython({ env: { DLM_PYTHON: '/nonexistent/dlm-python' } });
    expect(formatDiagnostics(r.diagnostics)).toContain('/nonexistent/dlm-python (DLM_PYTHON)');
  });
});
