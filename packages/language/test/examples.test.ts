/**
 * Every example compiles without errors; its structure matches a golden a reviewer can read
 * (`<example>.structure.txt`: ports, op histogram, layers, nodes, params, train blocks) and the
 * small examples' IR matches the golden JSON too (a missing golden fails; UPDATE=1 writes them);
 * the IR survives fromJSON(toJSON(p)); formatting is idempotent and the formatted text compiles to
 * the same IR (spans aside). The ResNet has no JSON golden (6,879 lines nobody reviews): its
 * structure is checked explicitly below.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countParamsUnder, formatDiagnostics, fromJSON, inScope, paramCountsByPath, summarize, toJSON, type Program } from '@dlm/core';
import { expectGolden } from '@dlm/test-utils';
import { compileFile, compileSource, format } from '../src/index.js';
import { makeRegistry, structuralProblems } from './helpers.js';
import { describeProgram, opHistogram } from './structure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../../..');
const GOLDEN = path.join(here, 'golden');

/** Examples whose whole IR is also a JSON golden (small enough to review). */
const IR_GOLDEN = new Set(['mlp', 'mnist_cnn', 'lstm_classifier', 'gru_sequence', 'dcgan']);

export const EXAMPLES = [
  'examples/mlp/mlp.dlm',
  'examples/mnist/mnist_cnn.dlm',
  'examples/text/lstm_classifier.dlm',
  'examples/sequence/gru_sequence.dlm',
  'examples/gan/dcgan.dlm',
  'examples/resnet/resnet_cifar.dlm',
  'examples/vgg/vgg11.dlm',
  'examples/transformer/char_gpt.dlm',
  'examples/vit/vit_mnist.dlm',
  'examples/text/transformer_classifier.dlm',
];

const registry = makeRegistry();
const readFile = (p: string) => {
  try {
    return fs.readFileSync(path.join(ROOT, p), 'utf8');
  } catch {
    return undefined;
  }
};

/** The IR without source locations, for comparing programs compiled from differently laid-out text. */
function withoutSpans(p: Program): unknown {
  return JSON.parse(JSON.stringify(p, (k, v: unknown) => (k === 'span' ? undefined : v)));
}

/** Trainable parameters (PyTorch's count), from core's one count. */
function paramCount(p: Program, model: string): number {
  return countParamsUnder(p.models.find((m) => m.name === model)!).trainable;
}

describe('examples', () => {
  it('lists every .dlm file under examples/', () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory() && e.name !== 'plugins' && e.name !== 'node_modules') walk(rel);
        else if (e.name.endsWith('.dlm')) found.push(rel);
      }
    };
    walk('examples');
    expect(found.sort()).toEqual([...EXAMPLES].sort());
  });

  for (const file of EXAMPLES) {
    describe(file, () => {
      const out = compileFile(file, { registry, readFile });

      it('compiles with no diagnostics', () => {
        expect(formatDiagnostics(out.diagnostics, { sources: out.sources })).toBe('');
        expect(out.program.models.length).toBeGreaterThan(0);
        expect(structuralProblems(out.program)).toEqual([]);
      });

      const name = path.basename(file, '.dlm');
      it('matches its structure golden', () => {
        expectGolden(path.join(GOLDEN, `${name}.structure.txt`), describeProgram(out.program));
      });

      it(`${IR_GOLDEN.has(name) ? 'matches the golden IR and ' : ''}round-trips through JSON`, () => {
        const json = toJSON(out.program);
        if (IR_GOLDEN.has(name)) expectGolden(path.join(GOLDEN, `${name}.ir.json`), json);
        expect(fromJSON(json)).toEqual(out.program);
        expect(toJSON(fromJSON(json))).toBe(json);
      });

      it('formats idempotently to a program with the same IR', () => {
        const text = readFile(file)!;
        const once = format(text, file);
        expect(once.result).toBeDefined();
        const twice = format(once.result!, file);
        expect(twice.result).toBe(once.result);
        const again = compileSource(once.result!, file, { registry, readFile });
        expect(again.diagnostics).toEqual([]);
        expect(withoutSpans(again.program)).toEqual(withoutSpans(out.program));
      });
    });
  }

  it('mnist_cnn has the 21,840 parameters of the PyTorch reference network', () => {
    const out = compileFile('examples/mnist/mnist_cnn.dlm', { registry, readFile });
    expect(paramCount(out.program, 'MnistCnn')).toBe(21840);
    const t = out.program.trainings[0]!;
    expect(t.kind).toBe('supervised');
    expect(t.loss.name).toBe('nll');
    expect(t.optimizer.args['lr']).toBe(1e-3);
    expect(t.metrics.map((m) => m.name)).toEqual(['accuracy', 'recall']);
    expect(t.epochs).toBe(10);
  });

  it('mlp is 2 → 16 → 16 → 1 (337 parameters) with a sigmoid output', () => {
    const out = compileFile('examples/mlp/mlp.dlm', { registry, readFile });
    expect(paramCount(out.program, 'Mlp')).toBe(2 * 16 + 16 + 16 * 16 + 16 + 16 + 1);
    const g = out.program.models[0]!;
    expect(g.nodes[g.nodes.length - 1]!.op).toBe('Sigmoid');
    expect(out.program.trainings[0]!.loss.name).toBe('bce');
    expect(out.program.trainings[0]!.settings['seed']).toBe(42);
    // `init he_normal` on the second dense keeps the layer's fan_in.
    const w = g.params.find((p) => p.init.kind === 'he_normal')!;
    expect(w.type.shape).toEqual([16, 16]);
    expect(w.init.args['fan_in']).toBe(16);
  });

  describe.each([
    // embedding 58·128 + positions 64·128 + 4 blocks × (2 norms 512 + attention 4·128² + 4·128 + MLP 2·128·512 + 512 + 128) + norm 256 + head 128·58 + 58
    ['examples/transformer/char_gpt.dlm', 'CharGpt', { total: 816_442, trainable: 816_442, nonTrainable: 0, buffers: 0 }],
    // patch conv 64·49 + 64, class token 64, positions 17·64, 4 encoder layers × 33,472 (attention 16,640 + ff 16,576 + norms 256), norm 128, head 650
    ['examples/vit/vit_mnist.dlm', 'VitMnist', { total: 139_018, trainable: 139_018, nonTrainable: 0, buffers: 0 }],
    // embedding 5000·64, 2 encoder layers × 33,472, head 65; the sinusoidal table 100·64 is a buffer
    ['examples/text/transformer_classifier.dlm', 'SentimentTransformer', { total: 393_409, trainable: 387_009, nonTrainable: 6_400, buffers: 6_400 }],
  ] as const)('%s', (file, model, counts) => {
    const out = compileFile(file, { registry, readFile });
    const g = out.program.models.find((m) => m.name === model)!;
    it('has the parameters its comment adds up (the PyTorch modules of packages/torch/test/examples.test.ts load them strictly)', () => {
      expect(countParamsUnder(g)).toEqual(counts);
    });
  });

  it.each(EXAMPLES)('%s: every layer\'s counts and FLOPs, computed in one pass, equal the per-layer definitions', (file) => {
    const out = compileFile(file, { registry, readFile });
    for (const g of out.program.models) {
      const countsOf = paramCountsByPath(g);
      const summary = summarize(g);
      g.layers.forEach((l, i) => {
        expect(countsOf(l.path), l.path.join('/')).toEqual(countParamsUnder(g, l.path));
        expect(summary.rows[i]!.params).toBe(countParamsUnder(g, l.path).total);
        // FLOPs of a layer: the model's total over just the nodes in its scope
        const inside = summarize({ ...g, nodes: g.nodes.filter((n) => inScope(n.scope, l.path)) }).flops;
        expect(summary.rows[i]!.flops, l.path.join('/')).toBe(inside);
      });
    }
  });

  it('dcgan is a GAN train block over two models', () => {
    const out = compileFile('examples/gan/dcgan.dlm', { registry, readFile });
    const t = out.program.trainings[0]!;
    expect(t).toMatchObject({ kind: 'gan', generator: 'Generator', discriminator: 'Discriminator' });
    expect(out.program.models.map((m) => m.name)).toEqual(['Generator', 'Discriminator']);
  });

  it('resnet has the ops, parameters and buffers its source describes', () => {
    const out = compileFile('examples/resnet/resnet_cifar.dlm', { registry, readFile });
    const g = out.program.models[0]!;
    // stem conv + 4 residual blocks × 2 convs + 2 downsample blocks × 3 convs = 15 conv/bn pairs;
    // relu: stem 1 + residual 4×2 + downsample 2×2 = 13; one add per block = 6.
    expect(Object.fromEntries(opHistogram(g))).toEqual({ Conv: 15, BatchNormalization: 15, Relu: 13, Add: 6, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    const byName = (suffix: string) => g.params.filter((p) => p.name.endsWith(`.${suffix}`)).length;
    expect([byName('weight'), byName('bias'), byName('running_mean'), byName('running_var')]).toEqual([15 + 15 + 1, 15 + 1, 15, 15]);
    expect(g.params.filter((p) => p.buffer).every((p) => /\.running_(mean|var)$/.test(p.name) && !p.trainable)).toBe(true);
    // batch-norm channels: 16 (stem) + 4·16 + 3·32 + 2·32 + 3·64 + 2·64 = 560; mean and variance each
    expect(countParamsUnder(g)).toEqual({ total: 175_258 + 1_120, trainable: 175_258, nonTrainable: 1_120, buffers: 1_120 });
    expect(g.params.find((p) => p.name === 'residual_2.conv2d_3.weight')?.type.shape).toEqual([64, 32, 1, 1]);
    expect(g.params.find((p) => p.name === 'dense_1.weight')?.type.shape).toEqual([10, 64]);
    expect(g.outputs.map((v) => v.type.shape)).toEqual([['batch', 10]]);
    // every node belongs to a layer the user wrote
    const layerPaths = new Set(g.layers.map((l) => l.path.join('/')));
    expect(g.nodes.filter((n) => !layerPaths.has(n.scope.join('/'))).map((n) => n.id)).toEqual([]);
  });

  it('resnet groups layers by block and repetition', () => {
    const out = compileFile('examples/resnet/resnet_cifar.dlm', { registry, readFile });
    const g = out.program.models[0]!;
    const blocks = g.layers.filter((l) => l.isBlock).map((l) => l.path.join('/'));
    expect(blocks).toEqual(['repeat_1', 'repeat_1/residual_1', 'repeat_2', 'repeat_2/residual_1', 'residual_1', 'repeat_3', 'repeat_3/residual_1', 'residual_2', 'repeat_4', 'repeat_4/residual_1']);
    expect(g.nodes.some((n) => n.scope.join('/') === 'repeat_2/residual_1/add_1')).toBe(true);
    // `if` in the block: a projection shortcut only where the shape changes.
    const convs = (scope: string) => g.layers.filter((l) => l.kind === 'conv2d' && l.path.join('/').startsWith(scope + '/')).length;
    expect([convs('repeat_1/residual_1'), convs('residual_1'), convs('repeat_3/residual_1'), convs('residual_2')]).toEqual([2, 3, 2, 3]);
  });

  it('vgg11 unrolls its configuration list, one scope per entry', () => {
    const out = compileFile('examples/vgg/vgg11.dlm', { registry, readFile });
    const g = out.program.models[0]!;
    const loops = g.layers.filter((l) => l.kind === 'for');
    expect(loops.map((l) => l.args['c'])).toEqual([64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']);
    expect(g.layers.filter((l) => l.path[0] === 'layer_4').map((l) => l.path.join('/'))).toEqual(['layer_4', 'layer_4/max_pool_1']);
    expect(g.layers.filter((l) => l.kind === 'conv2d').length).toBe(8);
  });

  describe('classic networks keep the parameter counts of their PyTorch definitions', () => {
    const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'torch-classic-nets.json'), 'utf8')) as {
      command: string;
      nets: Record<string, { params: number; buffers: number; output: (string | number)[] }>;
    };
    const files: Record<string, string> = { ResNetCifar: 'examples/resnet/resnet_cifar.dlm', Vgg11: 'examples/vgg/vgg11.dlm' };
    it('the golden file says how it was made', () => expect(golden.command).toContain('tools/reference/torch_classic_nets.py'));
    it.each(Object.entries(files))('%s', (model, file) => {
      const p = compileFile(file, { registry, readFile }).program;
      const g = p.models.find((m) => m.name === model)!;
      const ref = golden.nets[model]!;
      expect(paramCount(p, model)).toBe(ref.params);
      expect(g.params.filter((x) => x.buffer).reduce((n, x) => n + x.type.shape.reduce<number>((a, d) => a * (d as number), 1), 0)).toBe(ref.buffers);
      expect(g.outputs[0]!.type.shape).toEqual(ref.output);
    });
  });
});
