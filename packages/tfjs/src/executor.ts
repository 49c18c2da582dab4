/**
 * GraphExecutor: runs one IR graph with tfjs ops, synchronously, so that it can sit inside
 * tf.tidy / tf.variableGrads / tf.grads and be differentiated by tfjs' tape.
 *
 * `create` checks the whole graph up front (every op lowered, every configuration supported,
 * every value defined) and reports all problems as located diagnostics. `run` then never fails
 * for graph reasons; it throws `DlmExecutionError` only for missing parameters or inputs of the
 * wrong shape.
 *
 * Layout: see lowering/types.ts. Values move between NCHW and NHWC lazily; graph outputs are
 * always returned in the IR's (NCHW) order.
 */
import * as tf from '@tensorflow/tfjs-core';
import { diag, formatShape, nodeAttrProblem, type Diagnostic, type Graph, type Node, type TensorType } from '@dlm/core';
import { getLowering, Val, type Lowering } from './lowering/index.js';
import { DlmExecutionError } from './backend-errors.js';

export interface RunOptions {
  /** Training mode: dropout active, batch norm on batch statistics (and buffer updates). */
  training: boolean;
  /** Seed for random ops; each node derives its own from it. Give a new one each step. */
  seed?: number;
}

export interface RunResult {
  /** Graph outputs by name, in the IR's layout (NCHW / batch-first). */
  outputs: Record<string, tf.Tensor>;
  /**
   * New values for buffer parameters (batch-norm running statistics), by parameter name; only in
   * training mode. These tensors are `tf.keep`-ed so they survive the tidy scopes of
   * tf.variableGrads: the caller owns them (assign them into variables, then dispose them).
   */
  bufferUpdates: Map<string, tf.Tensor>;
}

/** A graph input whose values index a table (an embedding's Gather), with the table's size. */
interface IdCheck {
  input: string;
  /** Valid ids are 0..size−1. */
  size: number;
  node: Node;
}

interface Step {
  node: Node;
  lowering: Lowering;
  index: number;
  /** The IR's types of the node's outputs (what the compiler promised), where the graph has them. */
  outputTypes: (TensorType | undefined)[];
}

export class GraphExecutor {
  private constructor(
    readonly graph: Graph,
    private readonly steps: Step[],
    private readonly idChecks: IdCheck[] = indexInputs(graph),
  ) {}

  /** Checks `graph` and prepares it; every unsupported op is reported with its node's span. */
  static create(graph: Graph): { result?: GraphExecutor; diagnostics: Diagnostic[] } {
    const diagnostics: Diagnostic[] = [];
    const steps: Step[] = [];
    const valueTypes = new Map(graph.values.map((v) => [v.name, v.type] as const));
    graph.nodes.forEach((node, index) => {
      const lowering = getLowering(node.op);
      if (!lowering) {
        diagnostics.push(diag('DLM5001', [node.op, node.id], node.span));
        return;
      }
      // Enum attribute values are the schema's to check (IR from JSON or a hand-built graph was never
      // through the graph builder); what this backend cannot run is the lowering's.
      const problem = nodeAttrProblem(node) ?? lowering.check?.(node);
      if (problem) {
        diagnostics.push(diag('DLM5002', [node.op, node.id, problem], node.span));
        return;
      }
      steps.push({ node, lowering, index, outputTypes: node.outputs.map((o) => valueTypes.get(o)) });
    });
    if (diagnostics.length > 0) return { diagnostics };
    const ordered = topoOrder(graph, steps, diagnostics);
    if (!ordered) return { diagnostics };
    return { result: new GraphExecutor(graph, ordered), diagnostics };
  }

  /**
   * Rejects ids outside the table an input indexes (DLM5020): ONNX Gather would wrap a negative
   * id around to the last rows and tfjs would fail inside its kernel, while PyTorch refuses both.
   */
  checkIds(input: string, values: ArrayLike<number>): void {
    for (const c of this.idChecks) {
      if (c.input !== input) continue;
      for (let i = 0; i < values.length; i++) {
        const id = values[i]!;
        if (id < 0 || id >= c.size) throw new DlmExecutionError('DLM5020', [input, id, i, c.size, c.node.id, c.size - 1], c.node.span);
      }
    }
  }

  /** Names of the parameters the graph reads (trainable, frozen and buffers). */
  get paramNames(): string[] {
    return this.graph.params.map((p) => p.name);
  }

  run(params: ReadonlyMap<string, tf.Tensor>, inputs: Record<string, tf.Tensor>, opts: RunOptions): RunResult {
    const env = new Map<string, Val>();
    for (const p of this.graph.params) {
      const t = params.get(p.name);
      if (!t) throw new DlmExecutionError('DLM5003', ['parameter', p.name], p.span);
      env.set(p.name, new Val(t));
    }
    for (const v of this.graph.inputs) {
      const t = inputs[v.name];
      if (!t) throw new DlmExecutionError('DLM5003', ['input', v.name], this.graph.span);
      env.set(v.name, new Val(checkInput(this.graph, v.name, v.type, t)));
    }
    // WebGPU in Node cannot read back synchronously; runInference checks host arrays itself.
    if (this.idChecks.length && tf.getBackend() !== 'webgpu') {
      for (const c of this.idChecks) this.checkIds(c.input, inputs[c.input]!.dataSync());
    }
    const bufferUpdates = new Map<string, tf.Tensor>();
    for (const { node, lowering, index, outputTypes } of this.steps) {
      const ins = node.inputs.map((name) => (name === '' ? undefined : env.get(name)));
      let outs: (Val | undefined)[];
      if (node.trainingOnly && !opts.training) {
        outs = [ins[0]];
      } else {
        const seed = opts.seed === undefined ? undefined : (opts.seed * 1_000_003 + index * 7_919) % 2_147_483_647;
        const res = lowering.run({ node, attrs: node.attrs, training: opts.training, outputTypes, ...(seed === undefined ? {} : { seed }) }, ins);
        if (Array.isArray(res)) outs = res;
        else {
          outs = res.outputs;
          if (opts.training && res.updates) {
            for (const [i, t] of res.updates) {
              const name = node.inputs[i];
              if (name) bufferUpdates.set(name, tf.keep(t));
            }
          }
        }
      }
      node.outputs.forEach((name, i) => {
        const v = outs[i];
        if (name !== '' && v) env.set(name, v);
      });
    }
    const outputs: Record<string, tf.Tensor> = {};
    for (const v of this.graph.outputs) outputs[v.name] = env.get(v.name)!.canonical();
    return { outputs, bufferUpdates };
  }
}

/**
 * Graph inputs that reach a Gather's indices unchanged in value (through Identity and shape
 * ops), with the gathered axis's size when it is fixed.
 */
function indexInputs(graph: Graph): IdCheck[] {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const typeOf = new Map<string, TensorType>([...graph.inputs.map((v) => [v.name, v.type] as const), ...graph.params.map((p) => [p.name, p.type] as const), ...graph.values.map((v) => [v.name, v.type] as const)]);
  const inputs = new Set(graph.inputs.map((v) => v.name));
  const out: IdCheck[] = [];
  for (const n of graph.nodes) {
    if (n.op !== 'Gather') continue;
    const data = typeOf.get(n.inputs[0]!);
    const rawAxis = typeof n.attrs['axis'] === 'number' ? n.attrs['axis'] : 0;
    const size = data?.shape[rawAxis < 0 ? rawAxis + data.shape.length : rawAxis];
    if (typeof size !== 'number') continue;
    let v = n.inputs[1]!;
    for (let p = producer.get(v); p && VALUE_PRESERVING.has(p.op); p = producer.get(v)) v = p.inputs[0]!;
    if (inputs.has(v) && !out.some((c) => c.input === v && c.size <= size)) out.push({ input: v, size, node: n });
  }
  return out;
}

const VALUE_PRESERVING = new Set(['Identity', 'Reshape', 'Flatten', 'Transpose', 'Unsqueeze', 'Squeeze', 'Expand']);

/** Casts inputs to the IR's dtype (integers to int32: tfjs has no int64) and checks fixed dims against the IR. */
function checkInput(graph: Graph, name: string, type: TensorType, t: tf.Tensor): tf.Tensor {
  const ok = t.rank === type.shape.length && type.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
  if (!ok) throw new DlmExecutionError('DLM5004', [name, formatShape(t.shape), graph.name, formatShape(type.shape)], graph.span);
  const want = type.dtype === 'f32' ? 'float32' : type.dtype === 'bool' ? 'bool' : 'int32';
  return t.dtype === want ? t : tf.cast(t, want);
}

/** Orders steps so that every value is defined before use (IR nodes normally already are). */
function topoOrder(graph: Graph, steps: Step[], diagnostics: Diagnostic[]): Step[] | undefined {
  const defined = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.params.map((p) => p.name)]);
  const pending = [...steps];
  const out: Step[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((s) => s.node.inputs.every((n) => n === '' || defined.has(n)));
    if (i < 0) break;
    const [s] = pending.splice(i, 1);
    out.push(s!);
    for (const o of s!.node.outputs) if (o !== '') defined.add(o);
  }
  for (const s of pending) {
    const missing = s.node.inputs.find((n) => n !== '' && !defined.has(n))!;
    diagnostics.push(diag('DLM5005', [graph.name, missing], s.node.span));
  }
  for (const v of graph.outputs) {
    if (!defined.has(v.name)) diagnostics.push(diag('DLM5005', [graph.name, v.name], graph.span));
  }
  return diagnostics.length > 0 ? undefined : out;
}
