/**
 * IR graph → a self-contained PyTorch module (Python source text).
 *
 * Two passes, like the ONNX exporter. The feasibility pass (`checkTorchLowerable`) looks at every
 * node and parameter before anything is written: an op without a PyTorch lowering, an attribute
 * combination PyTorch cannot express, a parameter name that cannot be a module attribute. Each is
 * its own located diagnostic, and if there is any, nothing is produced. The build pass then runs
 * one lowering rule per node in graph order, writing one statement per op into `forward`.
 *
 * Naming rule (checkpoints transfer both ways): a dlm parameter `a.b.weight` is the attribute
 * `weight` of the nested container module `self.a.b`, so `model.state_dict()` has exactly dlm's
 * names, with dlm's layouts (NCHW, dense weights [out, in], recurrent weights in ONNX gate order).
 * Batch-norm statistics are buffers (`register_buffer`), frozen parameters have requires_grad=False.
 */
import { basename } from 'node:path';
import { diag, fansOf, hasErrors, type Diagnostic, type Graph, type LayerRecord, type Node, type Param, type TensorType } from '@dlm/core';
import { formatFloat, isIdentifier, PyBlock, py, render, type PyExpr } from './emitter.js';
import { helperSource, type HelperName } from './lowering/helpers.js';
import { getTorchLoweringRule, type TorchLoweringContext } from './lowering/index.js';

export interface PytorchExportOptions {
  /** Class name; default the model's name. */
  className?: string;
  /** Shown in the module docstring (e.g. the `.dlm` path as the user gave it). */
  sourceFile?: string;
  /** Add an `if __name__ == "__main__":` block that builds the model and runs one random batch. */
  main?: boolean;
}

export interface PytorchExportResult {
  /** The module's Python source; absent when there are errors. */
  result?: string;
  diagnostics: Diagnostic[];
}

/** Attributes every nn.Module already has: a dlm scope or parameter with such a name would clash. */
const MODULE_ATTRIBUTES = new Set(
  'training forward eval train parameters buffers children modules state_dict load_state_dict to cuda cpu type float double half bfloat16 apply zero_grad register_buffer register_parameter register_module add_module named_parameters named_buffers named_children named_modules requires_grad_ extra_repr reset_parameters get_submodule get_parameter get_buffer share_memory dump_patches call_super_init'.split(
    ' ',
  ),
);

/** Names the generated code itself uses at module level or inside forward. */
const RESERVED_LOCALS = new Set(['torch', 'nn', 'F', 'math', 'self', '_']);

/** Every reason `graph` cannot be written as PyTorch, one diagnostic per node or parameter. */
export function checkTorchLowerable(graph: Graph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const types = typeTable(graph);
  const typeOf = (v: string) => types.get(v);
  for (const node of graph.nodes) {
    const rule = getTorchLoweringRule(node.op);
    if (!rule) {
      out.push(diag('DLM6101', [node.op, node.id, graph.name], node.span));
      continue;
    }
    const why = rule.unsupported?.(node, typeOf);
    if (why) out.push(diag('DLM6102', [node.op, node.id, why], node.span));
  }
  for (const p of graph.params) {
    for (const part of p.name.split('.')) {
      const why = !isIdentifier(part) ? 'is not a Python identifier' : MODULE_ATTRIBUTES.has(part) ? 'is already an attribute of torch.nn.Module' : undefined;
      if (why) {
        out.push(diag('DLM6103', [p.name, part, why], p.span));
        break;
      }
    }
  }
  return out;
}

/** Writes `graph` as a PyTorch module; nothing when the feasibility pass finds a problem. */
export function exportPytorch(graph: Graph, opts: PytorchExportOptions = {}): PytorchExportResult {
  const diagnostics = checkTorchLowerable(graph);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { result: new ModuleWriter(graph, opts).write(), diagnostics };
}

function typeTable(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.values, ...graph.outputs]) types.set(v.name, v.type);
  for (const p of graph.params) types.set(p.name, p.type);
  return types;
}

/** A Python identifier from any dlm name ("repeat_1/residual_1/add" → "repeat_1_residual_1_add"). */
function sanitize(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!s) s = 'v';
  if (/^\d/.test(s)) s = `v${s}`;
  return s;
}

class ModuleWriter {
  private readonly types: Map<string, TensorType>;
  private readonly params: Map<string, Param>;
  private readonly layers = new Map<string, LayerRecord>();
  /** Core value name → Python expression in forward. */
  private readonly values = new Map<string, PyExpr>();
  private readonly taken = new Set<string>(RESERVED_LOCALS);
  private readonly consumed = new Set<string>();
  private readonly graphOutputs: Set<string>;
  private readonly helpers = new Set<HelperName>();

  constructor(
    private readonly graph: Graph,
    private readonly opts: PytorchExportOptions,
  ) {
    this.types = typeTable(graph);
    this.params = new Map(graph.params.map((p) => [p.name, p]));
    for (const l of graph.layers) this.layers.set(l.path.join('/'), l);
    for (const n of graph.nodes) for (const i of n.inputs) if (i) this.consumed.add(i);
    this.graphOutputs = new Set(graph.outputs.map((v) => v.name));
    for (const p of graph.params) this.values.set(p.name, py.path(`self.${p.name}`));
  }

  private fresh(base: string): string {
    let name = sanitize(base);
    if (!isIdentifier(name)) name = `${name}_`;
    for (let i = 2; this.taken.has(name); i++) name = `${sanitize(base)}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** "conv2d 10×5×5, mnist_cnn.dlm:9": the layer as the user wrote it and where. */
  private where(node: Node): string | undefined {
    let layer: LayerRecord | undefined;
    for (let k = node.scope.length; k > 0 && !layer; k--) layer = this.layers.get(node.scope.slice(0, k).join('/'));
    const span = node.span ?? layer?.span;
    const parts = [layer?.label, span ? `${basename(span.file)}:${span.line}` : undefined].filter(Boolean);
    return parts.length ? parts.join(', ') : undefined;
  }

  write(): string {
    const g = this.graph;
    const className = this.opts.className ?? sanitize(g.name);
    for (const v of g.inputs) this.values.set(v.name, py.name(this.fresh(v.name)));
    const forward = new PyBlock(2);
    for (const node of g.nodes) this.lowerNode(node, forward);
    const outs = g.outputs.map((v) => this.values.get(v.name)!);
    forward.return(outs.length === 1 ? outs[0]! : py.tuple(outs));

    const file = new PyBlock(0);
    const source = this.opts.sourceFile ?? g.source;
    file.raw('"""');
    file.raw(`${g.name}: written by dlm${source ? ` from ${source}` : ''}.`);
    file.blank();
    file.raw("Parameter and buffer names and layouts are dlm's (model.state_dict() keys equal the names in");
    file.raw("dlm's safetensors checkpoints), so weights move between dlm and PyTorch unchanged:");
    file.raw("    model.load_state_dict(load_safetensors('model.safetensors'))");
    file.raw('"""');
    file.raw('import math');
    file.blank();
    file.raw('import torch');
    file.raw('import torch.nn.functional as F');
    file.raw('from torch import nn');
    this.helpers.add('load_safetensors');
    file.blank();
    file.blank();
    file.raw(helperSource(this.helpers));
    file.blank();
    file.blank();
    file.nest(`class ${className}(nn.Module)`, (cls) => {
      cls.raw(`"""${g.name}${g.span ? ` (${basename(g.span.file)}:${g.span.line})` : ''}: inputs ${g.inputs.map((v) => `${v.name} ${typeText(v.type)}`).join(', ')}; outputs ${g.outputs.map((v) => `${v.name} ${typeText(v.type)}`).join(', ')}."""`);
      cls.blank();
      cls.assign(['input_names'], py.tuple(g.inputs.map((v) => v.name)));
      cls.assign(['output_names'], py.tuple(g.outputs.map((v) => v.name)));
      cls.blank();
      cls.nest('def __init__(self)', (b) => this.writeInit(b));
      cls.blank();
      cls.nest('def reset_parameters(self)', (b) => this.writeReset(b));
      cls.blank();
      const args = ['self', ...g.inputs.map((v) => render(this.values.get(v.name)!))].join(', ');
      cls.raw(`def forward(${args}):`);
      cls.append(forward);
    });
    if (this.opts.main ?? true) {
      file.blank();
      file.blank();
      file.nest('if __name__ == "__main__"', (b) => {
        b.comment('Smoke test: build the model, run one random batch of 2, print the output shapes.');
        b.assign(['model'], py.call(className));
        b.expr(py.method(py.name('model'), 'eval'));
        const feeds = g.inputs.map((v) => randomInput(v.type));
        b.assign(['outputs'], py.call('model', feeds));
        b.raw(`for name, y in zip(${className}.output_names, outputs if isinstance(outputs, tuple) else (outputs,)):`);
        b.raw('    print(name, tuple(y.shape))');
      });
    }
    return `${file.toString()}\n`;
  }

  private writeInit(b: PyBlock): void {
    b.raw('super().__init__()');
    const containers = new Set<string>();
    for (const p of this.graph.params) {
      const parts = p.name.split('.');
      const local = parts.pop()!;
      const owner = parts.length ? `self.${parts.join('.')}` : 'self';
      for (let k = 1; k <= parts.length; k++) {
        const path = parts.slice(0, k).join('.');
        if (containers.has(path)) continue;
        containers.add(path);
        const layer = this.layers.get(parts.slice(0, k).join('/'));
        b.assign([`self.${path}`], py.call('nn.Module'), layer ? `${layer.label}${layer.span ? `, ${basename(layer.span.file)}:${layer.span.line}` : ''}` : undefined);
      }
      const shape = p.type.shape as number[];
      const dtype = p.type.dtype === 'f32' ? undefined : py.path(p.type.dtype === 'i64' ? 'torch.int64' : p.type.dtype === 'i32' ? 'torch.int32' : 'torch.bool');
      const empty = py.call('torch.empty', shape, { dtype });
      if (p.buffer || p.type.dtype !== 'f32') {
        b.expr(py.method(py.path(owner), 'register_buffer', [local, empty]), p.buffer ? (p.init.kind === 'sinusoidal' ? 'a fixed table, never trained' : 'updated by training, never by the optimizer') : undefined);
      } else {
        b.assign([`${owner}.${local}`], py.call('nn.Parameter', [empty], { requires_grad: p.trainable ? undefined : false }));
      }
    }
    b.raw('self.reset_parameters()');
  }

  /** dlm's initializers with the same distributions (drawn from PyTorch's random stream). */
  private writeReset(b: PyBlock): void {
    b.raw(`"""dlm's initializers: the same distributions, drawn from PyTorch's random stream."""`);
    if (this.graph.params.length === 0) return;
    b.nest('with torch.no_grad()', (w) => {
      for (const p of this.graph.params) {
        const t = py.path(`self.${p.name}`);
        const shape = p.type.shape as number[];
        const a = p.init.args;
        const { fanIn, fanOut } = fansOf(p.init, shape);
        const gain = a['gain'] ?? 1;
        const uniform = (bound: number, why: string) => w.expr(py.call('nn.init.uniform_', [t, py.float(-bound), py.float(bound)]), why);
        const normal = (mean: number, std: number, why: string) => w.expr(py.call('nn.init.normal_', [t, py.float(mean), py.float(std)]), why);
        switch (p.init.kind) {
          case 'zeros':
            w.expr(py.call('nn.init.zeros_', [t]));
            break;
          case 'ones':
            w.expr(py.call('nn.init.ones_', [t]));
            break;
          case 'constant':
            w.expr(py.call('nn.init.constant_', [t, py.float(a['value'] ?? 0)]));
            break;
          case 'uniform':
            w.expr(py.call('nn.init.uniform_', [t, py.float(a['low'] ?? 0), py.float(a['high'] ?? 1)]));
            break;
          case 'normal':
            normal(a['mean'] ?? 0, a['std'] ?? 1, 'normal');
            break;
          case 'glorot_uniform':
            uniform(gain * Math.sqrt(6 / (fanIn + fanOut)), `glorot_uniform, fan_in ${fanIn}, fan_out ${fanOut}`);
            break;
          case 'glorot_normal':
            normal(0, gain * Math.sqrt(2 / (fanIn + fanOut)), `glorot_normal, fan_in ${fanIn}, fan_out ${fanOut}`);
            break;
          case 'he_uniform':
            uniform(Math.sqrt(6 / fanIn), `he_uniform, fan_in ${fanIn}`);
            break;
          case 'he_normal':
            normal(0, Math.sqrt(2 / fanIn), `he_normal, fan_in ${fanIn}`);
            break;
          case 'lecun_uniform':
            uniform(Math.sqrt(3 / fanIn), `lecun_uniform, fan_in ${fanIn}`);
            break;
          case 'lecun_normal':
            normal(0, Math.sqrt(1 / fanIn), `lecun_normal, fan_in ${fanIn}`);
            break;
          case 'torch_default':
            uniform(1 / Math.sqrt(fanIn), `torch_default, fan_in ${fanIn}`);
            break;
          case 'orthogonal':
            w.expr(py.call('nn.init.orthogonal_', [t], { gain: gain === 1 ? undefined : py.float(gain) }));
            break;
          case 'sinusoidal': {
            // The table of "Attention is all you need", in float64 then rounded once as dlm does.
            const dim = shape[shape.length - 1] ?? 1;
            const positions = shape.length >= 2 ? shape[shape.length - 2]! : 1;
            const base = formatFloat(a['base'] ?? 10000);
            w.raw(`_pos, _col = torch.arange(${positions}, dtype=torch.float64).unsqueeze(1), torch.arange(${dim})`, `sinusoidal, ${positions} positions × ${dim}`);
            w.raw(`_angle = _pos / torch.pow(torch.tensor(${base}, dtype=torch.float64), (_col // 2 * 2).double() / ${dim})`);
            w.raw(`self.${p.name}.copy_(torch.where(_col % 2 == 0, torch.sin(_angle), torch.cos(_angle)).expand(${[...shape.slice(0, -2), positions, dim].join(', ')}).reshape(${shape.length === 1 ? `${dim},` : shape.join(', ')}))`);
            break;
          }
        }
      }
    });
  }

  private lowerNode(node: Node, forward: PyBlock): void {
    const rule = getTorchLoweringRule(node.op)!;
    const schemaOutputs = node.outputs.length;
    const outputNames = node.outputs.map((o, i) => {
      if (!o) return '_';
      const used = this.consumed.has(o) || this.graphOutputs.has(o);
      if (!used && schemaOutputs > 1) return '_';
      const preferred = this.graphOutputs.has(o) ? o : schemaOutputs > 1 ? `${node.scope.join('_') || node.id}_${OUTPUT_SUFFIX[node.op]?.[i] ?? i}` : node.scope.join('_') || node.id;
      return this.fresh(this.taken.has(sanitize(preferred)) ? o : preferred);
    });
    const comment = this.where(node);
    const emitInto = (block: PyBlock) => {
      let assigned = false;
      const ctx: TorchLoweringContext = {
        node,
        input: (i) => {
          const v = node.inputs[i];
          if (!v) return py.lit(null);
          return this.values.get(v) ?? py.name(sanitize(v));
        },
        has: (i) => Boolean(node.inputs[i]),
        inputType: (i) => (node.inputs[i] ? this.types.get(node.inputs[i]!) : undefined),
        outputType: (i) => (node.outputs[i] ? this.types.get(node.outputs[i]!) : undefined),
        outputUsed: (i) => Boolean(node.outputs[i]) && (this.consumed.has(node.outputs[i]!) || this.graphOutputs.has(node.outputs[i]!)),
        assign: (value, arity) => {
          assigned = true;
          const targets = [...outputNames];
          while (arity !== undefined && targets.length < arity) targets.push('_');
          block.assign(targets, value, comment);
        },
        temp: (hint, value) => {
          const name = this.fresh(`${node.scope.join('_') || node.id}_${hint}`);
          block.assign([name], value);
          return py.name(name);
        },
        helper: (name) => {
          this.helpers.add(name);
          return py.name(`_${name}`);
        },
        device: () => {
          const first = this.graph.inputs[0];
          return first ? py.attr(this.values.get(first.name)!, 'device') : undefined;
        },
      };
      rule.lower(ctx);
      if (!assigned) throw new Error(`internal: the PyTorch lowering of ${node.op} wrote no output`);
    };
    if (node.trainingOnly && node.op !== 'Dropout') {
      // A training-only node (an augmentation) runs in train() mode and is the identity in eval().
      forward.nest('if self.training', emitInto);
      forward.nest('else', (b) => b.assign(outputNames.slice(0, 1), this.values.get(node.inputs[0]!) ?? py.name(sanitize(node.inputs[0]!))));
    } else emitInto(forward);
    node.outputs.forEach((o, i) => {
      if (o && outputNames[i] !== '_') this.values.set(o, py.name(outputNames[i]!));
    });
  }
}

/** Readable suffixes for the outputs of multi-output ops. */
const OUTPUT_SUFFIX: Record<string, string[]> = { LSTM: ['y', 'h', 'c'], GRU: ['y', 'h'], RNN: ['y', 'h'] };

function typeText(t: TensorType): string {
  return `${t.dtype}[${t.shape.join(', ')}]`;
}

/** A random batch of 2 for the smoke test (symbolic dims other than batch become 8). */
function randomInput(t: TensorType): PyExpr {
  const dims = t.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 2 : 8));
  if (t.dtype === 'f32') return py.call('torch.randn', dims);
  return py.call('torch.randint', [0, 2, py.tuple(dims)], { dtype: py.path(t.dtype === 'i32' ? 'torch.int32' : 'torch.int64') });
}
