/** @dlm/core: the IR, core op schemas, diagnostics, the plugin interface and registry. */
export * from './ir.js';
export * from './diagnostics.js';
export { MESSAGES, type MessageCode, type MessageEntry } from './messages.js';
export * from './printer.js';
export * from './op-schema.js';
export { CORE_OPS, OP_NAMES, getOpSchema, nodeAttrProblem, opCategory } from './ops/index.js';
export * from './dims.js';
export * from './plugin.js';
export type { TensorMath } from './tensor-math.js';
export * from './registry.js';
export * from './args.js';
export { GraphBuilder, resolveAttrs, type ParamSetting } from './builder.js';
export * from './serialize.js';
export * from './summary.js';
export * from './span.js';
export * from './safetensors.js';
export * from './init.js';
export * from './memory.js';
