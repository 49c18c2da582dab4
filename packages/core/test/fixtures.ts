/** A tiny test plugin for core tests (core cannot use @dlm/plugin-std). */
import { PLUGIN_API_VERSION, PluginRegistry, type DlmPlugin, type LayerDef } from '../src/index.js';

export const linear: LayerDef = {
  name: 'linear',
  family: 'dense',
  doc: 'y = x·Wᵀ + b on [batch, in].',
  args: [
    { name: 'units', type: 'int', min: 1, doc: 'outputs' },
    { name: 'bias', type: 'bool', default: true, doc: 'with bias' },
  ],
  expand(ctx, [x], a) {
    const t = ctx.typeOf(x!);
    const inF = t.shape[1];
    if (typeof inF !== 'number') return ctx.fail(`needs a fixed feature dim, got ${String(inF)}`);
    const init = { kind: 'torch_default' as const, args: { fan_in: inF } };
    const w = ctx.param('weight', [a['units'] as number, inF], init);
    const b = a['bias'] ? ctx.param('bias', [a['units'] as number], init) : null;
    return ctx.op('Gemm', [x!, w, b], { transB: 1 });
  },
  label: (a) => `linear ${a['units']}`,
};

export const relu: LayerDef = {
  name: 'relu',
  family: 'activation',
  doc: 'max(0, x)',
  args: [],
  expand: (ctx, [x]) => ctx.op('Relu', [x!]),
};

/** A composite layer built from two sub-layers (tests nesting of scopes). */
export const mlp: LayerDef = {
  name: 'mlp',
  family: 'custom',
  doc: 'linear → relu',
  args: [{ name: 'units', type: 'int', doc: 'hidden units' }],
  expand(ctx, inputs, a) {
    const [h] = ctx.layerCall('linear', inputs, { units: a['units']! });
    return ctx.layerCall('relu', [h!], {});
  },
};

export const broken: LayerDef = {
  name: 'broken',
  family: 'custom',
  doc: 'throws an ordinary error: a plugin bug',
  args: [],
  expand() {
    throw new TypeError('cannot read properties of undefined');
  },
};

export const liar: LayerDef = {
  name: 'liar',
  family: 'custom',
  doc: 'declares a shape rule its expansion contradicts',
  args: [],
  expand: (ctx, [x]) => ctx.op('Relu', [x!]),
  shape: (ins) => [{ dtype: 'f32', shape: [...ins[0]!.shape, 1] }],
};

export const testPlugin: DlmPlugin = { name: 'test-plugin', apiVersion: PLUGIN_API_VERSION, layers: [linear, relu, mlp, broken, liar] };

export function testRegistry(): PluginRegistry {
  const r = new PluginRegistry();
  const problems = r.register(testPlugin);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('\n'));
  return r;
}
