/**
 * @dlm/torch: IR graph → a readable, self-contained PyTorch module (one lowering per core op, a
 * feasibility pass with located diagnostics). Running Python lives in `@dlm/torch/node`.
 */
export { exportPytorch, checkTorchLowerable, type PytorchExportOptions, type PytorchExportResult } from './export.js';
export { TORCH_LOWERING_RULES, getTorchLoweringRule, type TorchLoweringRule, type TorchLoweringContext } from './lowering/index.js';
export { py, render, PyBlock, isIdentifier, formatFloat, type PyExpr, type PyLiteral } from './emitter.js';
export { OPTIMIZER_TWINS, SCHEDULE_TWINS, LOSS_TWINS, PENALTY_TWINS, AUGMENTATION_TWINS, LOSS_SOURCE, SCHEDULE_SOURCE, AUGMENT_SOURCE, optimizerTwin, augmentationTwin, scheduleArgsJson, checkTrainingTwins } from './train/twins.js';
