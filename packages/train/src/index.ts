/**
 * @dlm/train: the one training loop (supervised and adversarial step strategies), evaluation and
 * prediction, against any `Runtime`. This entry is browser-safe; run folders (checkpoints on
 * disk, resume) and worker-thread data parallelism are in `@dlm/train/node`.
 */
export type { Runtime, SeededMath, GraphRunner, TypedValues } from '@dlm/core'; // defined in core, where backends implement it
export { train, evaluate, predict, toDiagnostics, type TrainOptions, type TrainResult, type EvaluateOptions, type PredictOptions, type DatasetContext, type ShardInit } from './trainer.js';
export type { EvalResult, ShardPool, ShardResult } from './supervised.js';
export { splitBatch, trainStep, penaltiesFor, checkData, type Setup, type PenaltyTarget, type StepTensors } from './supervised.js';
export { ParamStore, SplitView, TrainingError, optimizerStep, permutation, resolveRules, learningRate, loaderArgs, concatBatches, formatDuration, isOutOfMemory, type ResolvedRules } from './common.js';
export { runLoop, type StepStrategy, type StepOutcome, type LoopOptions, type LoopResult } from './loop.js';
export { CHECKPOINT_FORMAT, preprocessingOf, type Preprocessing, type CheckpointState, type CheckpointData, type CheckpointStore, type EpochRecord } from './state.js';
export { consoleProgress, epochSummary, formatConfusion, type TrainEvent, type ConfusionReport, type ProgressStream } from './progress.js';
export { engineStrategy, runWithEngine, checkEngineRules, viewAsSplit, type TrainingEngine, type EnginePlan, type EngineRun, type EngineStep } from './engine.js';
