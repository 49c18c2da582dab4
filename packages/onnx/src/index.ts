/**
 * @dlm/onnx: IR graph → ONNX ModelProto bytes (onnx-proto), with an up-front feasibility check
 * that lists every node that cannot be exported, a weight check, and atomic file output.
 */
export {
  exportOnnx,
  buildModel,
  checkExportable,
  SUPPORTED_OPSETS,
  DEFAULT_OPSET,
  ONNX_IR_VERSION,
  PRODUCER_NAME,
  PRODUCER_VERSION,
  type ExportOptions,
  type ExportResult,
  type InputScaling,
} from './export.js';
export { checkWeights } from './weights.js';
export { writeOnnxFile } from './write.js';
export { LOWERING_RULES, getLoweringRule, type LoweringRule, type LoweringContext, type LoweringOptions } from './lowering/index.js';
export { float32Tensor, int32Tensor, int64Tensor, readTensor, decodeTensor, type DecodedTensor } from './tensor.js';
export { onnx, makeNode, makeValueInfo, attr, type OnnxAttr, type ITensorProto, type IValueInfoProto, type IModelProto } from './proto.js';
