/**
 * What a layer's expansion sees of the GraphBuilder (the LayerContext), and the two exceptions an
 * expansion ends with. Kept apart from builder.ts, which catches them.
 */
import type { GraphBuilder, ParamSetting } from './builder.js';
import type { AttrValue, Dim, DType, Initializer, SourceSpan, TensorType } from './ir.js';
import type { Args, LayerContext } from './plugin.js';
import type { UniqueNames } from './unique-names.js';
import { NO_ATTRS } from './op-attrs.js';

/** `op`'s and `param`'s default options: one shared object, not one per call (read only). */
const NO_OPTIONS: { outputs?: number; trainable?: boolean; buffer?: boolean; dtype?: DType } = Object.freeze({});

/** Thrown by `LayerContext.fail`; caught by the builder and reported. */
export class LayerRejection extends Error {}

/** Raised inside an expansion when an input is already erroneous; silently poisons the output. */
export class PoisonedInput extends Error {}

/**
 * The LayerContext of one layer expansion: a small object whose methods (on the prototype) call
 * back into the builder, instead of a fresh set of closures per layer.
 */
export class LayerExpansion implements LayerContext {
  /** Which of the user's parameter settings the layer used (tracked only when there are settings). */
  usedParams?: Set<string>;
  /** Parameter names taken by this layer (see GraphBuilder.claimedParams). */
  paramNames?: UniqueNames;
  private prefix?: string;

  constructor(
    private readonly builder: GraphBuilder,
    readonly layer: string,
    readonly span: SourceSpan | undefined,
    readonly path: string[],
    readonly settings: Record<string, ParamSetting> | undefined,
  ) {}

  /** `conv1.` for the parameters of layer instance `conv1`; joined once per layer. */
  paramPrefix(): string {
    // A top-level layer's path is its id alone: no join.
    return (this.prefix ??= this.path.length === 1 ? `${this.path[0]!}.` : `${this.path.join('.')}.`);
  }

  typeOf(v: string): TensorType {
    return this.builder.typeOf(v);
  }

  op(op: string, inputs: readonly (string | null)[], attrs: Record<string, AttrValue> = NO_ATTRS, o: { outputs?: number } = NO_OPTIONS): string[] {
    // The node's own inputs array ('' for an omitted optional input), made with no callback.
    const names = new Array<string>(inputs.length);
    for (let i = 0; i < inputs.length; i++) names[i] = inputs[i] ?? '';
    return this.builder.emitNode(op, names, attrs, o.outputs, this.span);
  }

  param(localName: string, shape: readonly Dim[], init: Initializer, o: { trainable?: boolean; buffer?: boolean; dtype?: DType } = NO_OPTIONS): string {
    return this.builder.declareParam(this, localName, shape, init, o);
  }

  layerCall(name: string, inputs: readonly string[], args: Args): string[] {
    return this.builder.expandSubLayer(name, inputs, args, this.span);
  }

  fail(message: string): never {
    throw new LayerRejection(message);
  }
}
