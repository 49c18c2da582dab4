/**
 * Test models built with core's GraphBuilder and a tiny test plugin, so the diagram tests do not
 * depend on the language or the standard library. The plugin's layers expand into real core ops,
 * so shapes on edges are computed by the real shape rules.
 */
import { DiagnosticBag, GraphBuilder, PLUGIN_API_VERSION, PluginRegistry, type DlmPlugin, type Graph, type LayerDef, type TensorType } from '@dlm/core';

const glorot = { kind: 'glorot_uniform' as const, args: {} };
const zeros = { kind: 'zeros' as const, args: {} };

const conv2d: LayerDef = {
  name: 'conv2d',
  family: 'conv',
  doc: 'test conv',
  args: [
    { name: 'filters', type: 'int', doc: '' },
    { name: 'kernel', type: 'int', default: 3, doc: '' },
    { name: 'pad', type: 'int', default: 0, doc: '' },
  ],
  expand(ctx, [x], a) {
    const c = ctx.typeOf(x!).shape[1] as number;
    const f = a['filters'] as number;
    const k = a['kernel'] as number;
    const p = a['pad'] as number;
    const w = ctx.param('weight', [f, c, k, k], glorot);
    const b = ctx.param('bias', [f], zeros);
    return ctx.op('Conv', [x!, w, b], { kernel_shape: [k, k], pads: [p, p, p, p] });
  },
  label: (a) => `conv2d ${a['filters']}×${a['kernel']}×${a['kernel']}`,
};

const dense: LayerDef = {
  name: 'dense',
  family: 'dense',
  doc: 'test dense',
  args: [{ name: 'units', type: 'int', doc: '' }],
  expand(ctx, [x], a) {
    const n = ctx.typeOf(x!).shape[1] as number;
    const u = a['units'] as number;
    const w = ctx.param('weight', [n, u], glorot);
    const b = ctx.param('bias', [u], zeros);
    return ctx.op('Gemm', [x!, w, b]);
  },
  label: (a) => `dense ${a['units']}`,
};

const relu: LayerDef = { name: 'relu', family: 'activation', doc: '', args: [], expand: (ctx, [x]) => ctx.op('Relu', [x!]) };
const flatten: LayerDef = { name: 'flatten', family: 'shape', doc: '', args: [], expand: (ctx, [x]) => ctx.op('Flatten', [x!]) };
const maxPool: LayerDef = {
  name: 'max_pool',
  family: 'pooling',
  doc: '',
  args: [{ name: 'size', type: 'int', default: 2, doc: '' }],
  expand: (ctx, [x], a) => ctx.op('MaxPool', [x!], { kernel_shape: [a['size'] as number, a['size'] as number], strides: [a['size'] as number, a['size'] as number] }),
  label: (a) => `max_pool ${a['size']}`,
};
const add: LayerDef = {
  name: 'add',
  family: 'merge',
  doc: '',
  args: [],
  inputs: { min: 2, max: Infinity },
  expand(ctx, xs) {
    let acc = xs[0]!;
    for (const x of xs.slice(1)) acc = ctx.op('Add', [acc, x])[0]!;
    return acc;
  },
};
/** Passes its input through without any op (its output name is its input name). */
const identity: LayerDef = { name: 'identity', family: 'shape', doc: '', args: [], expand: (_ctx, [x]) => x! };
/** A layer made of sub-layers (`layerCall`): drawn as one box, its sub-layers stay hidden. */
const mlp2: LayerDef = {
  name: 'mlp2',
  family: 'custom',
  doc: '',
  args: [{ name: 'units', type: 'int', doc: '' }],
  expand(ctx, [x], a) {
    const h = ctx.layerCall('dense', [x!], { units: a['units']! });
    const r = ctx.layerCall('relu', h, {});
    return ctx.layerCall('dense', r, { units: a['units']! });
  },
  label: (a) => `mlp2 ${a['units']}`,
  diagramClass: 'attention',
};

/** A layer whose diagram label is whatever text it is given (for escaping tests). */
const named: LayerDef = {
  name: 'named',
  family: 'custom',
  doc: '',
  args: [{ name: 'text', type: 'string', doc: '' }],
  expand: (ctx, [x]) => ctx.op('Relu', [x!]),
  label: (a) => String(a['text']),
};

export const testPlugin: DlmPlugin = {
  name: 'mermaid-test',
  apiVersion: PLUGIN_API_VERSION,
  layers: [conv2d, dense, relu, flatten, maxPool, add, identity, mlp2, named],
};

export function registry(): PluginRegistry {
  const r = new PluginRegistry();
  const ds = r.register(testPlugin);
  if (ds.length) throw new Error(ds.map((d) => d.message).join('\n'));
  return r;
}

const f32 = (...shape: (number | string)[]): TensorType => ({ dtype: 'f32', shape });

/** A small fluent wrapper so fixtures read like the .dlm they stand for. */
export class Model {
  readonly b: GraphBuilder;
  readonly bag = new DiagnosticBag();
  constructor(name: string, reg = registry()) {
    this.b = new GraphBuilder(name, reg, this.bag);
  }
  input(name: string, ...shape: (number | string)[]): string {
    return this.b.addInput(name, f32(...shape));
  }
  layer(name: string, x: string | string[], args: Record<string, number | string> = {}, instanceName?: string): string {
    const given = Object.entries(args).map(([k, v]) => ({ name: k, value: v }));
    const out = this.b.callLayer(name, Array.isArray(x) ? x : [x], given, undefined, instanceName ? { instanceName } : {});
    return out[0]!;
  }
  chain(x: string, ...calls: [string, Record<string, number>?][]): string {
    for (const [name, args] of calls) x = this.layer(name, x, args ?? {});
    return x;
  }
  block(name: string, x: string[], args: Record<string, number>, body: (ins: string[]) => string, instanceName?: string): string {
    this.b.enterBlock(name, undefined, args, x, instanceName);
    const out = body(x);
    this.b.exitBlock([out]);
    return out;
  }
  output(name: string, value: string, ...shape: (number | string)[]): void {
    this.b.addOutput(name, value, f32(...shape));
  }
  finish(): Graph {
    if (this.bag.items.length) throw new Error(this.bag.items.map((d) => `${d.code} ${d.message}`).join('\n'));
    return this.b.finish();
  }
}

/** The seed MNIST CNN (without dropout). */
export function mnistCnn(): Graph {
  const m = new Model('MnistCnn');
  const x = m.input('image', 'batch', 1, 28, 28);
  const y = m.chain(x, ['conv2d', { filters: 10, kernel: 5 }], ['max_pool', { size: 2 }], ['relu'], ['conv2d', { filters: 20, kernel: 5 }], ['max_pool', { size: 2 }], ['relu'], ['flatten'], ['dense', { units: 50 }], ['relu'], ['dense', { units: 10 }]);
  m.output('logits', y, 'batch', 10);
  return m.finish();
}

function residual(m: Model, x: string, channels: number, instanceName?: string): string {
  return m.block(
    'Residual',
    [x],
    { channels },
    ([i]) => {
      const h = m.chain(i!, ['conv2d', { filters: channels, kernel: 3, pad: 1 }], ['relu'], ['conv2d', { filters: channels, kernel: 3, pad: 1 }]);
      return m.layer('relu', m.layer('add', [h, i!]));
    },
    instanceName,
  );
}

/** A ResNet-ish model: stem, `repeat 3 { Residual(16) }`, a different block, head. */
export function resnet(): Graph {
  const m = new Model('TinyResNet');
  const x = m.input('image', 'batch', 3, 32, 32);
  let h = m.chain(x, ['conv2d', { filters: 16, kernel: 3, pad: 1 }], ['relu']);
  for (let i = 0; i < 3; i++) h = residual(m, h, 16);
  h = m.block('Stage', [h], { width: 16 }, ([i]) => residual(m, m.layer('max_pool', i!, { size: 2 }), 16));
  h = m.chain(h, ['max_pool', { size: 16 }], ['flatten'], ['dense', { units: 10 }]);
  m.output('logits', h, 'batch', 10);
  return m.finish();
}

/** Two models of a GAN, with a layer made of sub-layers and a custom diagram class. */
export function gan(): Graph[] {
  const g = new Model('Generator');
  const z = g.input('z', 'batch', 16);
  g.output('fake', g.chain(z, ['mlp2', { units: 32 }], ['relu'], ['dense', { units: 64 }]), 'batch', 64);
  const d = new Model('Discriminator');
  const x = d.input('sample', 'batch', 64);
  d.output('score', d.chain(x, ['dense', { units: 32 }], ['relu'], ['dense', { units: 1 }]), 'batch', 1);
  return [g.finish(), d.finish()];
}

/** Two branches from one input merged by add; a pass-through layer; two outputs. */
export function branches(): Graph {
  const m = new Model('Branches');
  const x = m.input('x', 'batch', 8);
  const a = m.layer('dense', x, { units: 8 }, 'left');
  const b = m.chain(x, ['dense', { units: 8 }], ['relu']);
  const p = m.layer('identity', b);
  const s = m.layer('add', [a, p, x]);
  m.output('sum', s, 'batch', 8);
  m.output('right', b, 'batch', 8);
  return m.finish();
}

/**
 * Names and labels that would break naive Mermaid output: quotes, brackets, pipes, keywords,
 * statement separators, comments, entities, backticks, HTML, Markdown, KaTeX, unicode.
 */
export const HOSTILE = [
  'a"b',
  'x"] --> evil["pwned',
  'end',
  'subgraph',
  'a;b',
  '%% comment',
  '%%{init: {"theme": "forest"}}%%',
  '#quot; #35; &amp;',
  '`**md**`',
  '<img src=x onerror=alert(1)>',
  '<b>bold</b>',
  'a|b|c',
  '[x]',
  '(y)',
  '{z}',
  'style x fill:#f00;',
  'classDef evil fill:#f00;',
  'click x call alert(1)',
  '$$x^2$$',
  'o',
  'x',
  'naïve 模型 — ünïcödé 🚀',
  'line\nbreak',
  'back\\slash',
  '-->',
  '  spaced  ',
];

/** A model whose every name and label is hostile. */
export function hostile(): Graph {
  const m = new Model(HOSTILE[1]!);
  // A symbolic dim that is hostile too: it appears on every edge label.
  const dim = 'b"|-->x;#quot;%%';
  const x = m.input(HOSTILE[0]!, dim, 4);
  let h = x;
  HOSTILE.forEach((text, i) => {
    h = m.layer('named', h, { text }, i % 3 === 0 ? text : undefined);
  });
  h = m.block(HOSTILE[2]!, [h], { note: 1 }, ([i]) => m.layer('named', i!, { text: 'inside end' }), HOSTILE[3]);
  h = m.block(HOSTILE[1]!, [h], { note: 2 }, ([i]) => m.layer('named', i!, { text: HOSTILE[1]! }), HOSTILE[6]);
  m.output(HOSTILE[4]!, h, dim, 4);
  return m.finish();
}
