export { setupBackend, type BackendChoice, type BackendName, type BackendInfo, type BackendOptions } from './backend.js';
export { mayHaveGpu, probeWebGpu, type WebGpuProbe } from './backend-webgpu.js';
export { ensureGradients } from './backend-gradients.js';
export { DlmExecutionError } from './backend-errors.js';
export { GraphExecutor, type RunOptions, type RunResult } from './executor.js';
export { runInference, type InferenceOptions, type ArrayTensor } from './inference.js';
export { LOWERED_OPS } from './lowering/index.js';
export { registerCpuKernels, registerWasmKernels, replacedKernel } from './kernels/index.js';
export {
  lossCurveSvg,
  historyFromRecords,
  confusionMatrixText,
  confusionMatrixSvg,
  confusionMatrixFromLabels,
  encodePng,
  sampleGridPng,
  reportHtml,
  type HistoryPoint,
  type LossCurveOptions,
  type ConfusionSvgOptions,
  type SampleGridOptions,
  type ReportInput,
} from './report/index.js';
export { tfjsMath, createTfjsMath, type TfjsMath } from './tensor-math.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  lastCheckpoint,
  irHash,
  checkpointParamName,
  CHECKPOINT_FORMAT,
  type CheckpointData,
  type CheckpointState,
  type EpochRecord,
} from './checkpoint.js';
export { train, evaluate, predict, resolveCheckpointDir, type TrainOptions, type TrainResult, type EvaluateOptions, type EvalResult, type PredictOptions } from './train/trainer.js';
export { consoleProgress, epochSummary, formatConfusion, type TrainEvent, type ConfusionReport, type ProgressStream } from './train/progress.js';
