/** DLM5xxx: execution, datasets, training, checkpoints. Owned by @dlm/tfjs. */
export const EXECUTION_MESSAGES = {
  // DLM5001–DLM5049: graph execution and backends (@dlm/tfjs executor, lowering, backend setup).
  DLM5001: { severity: 'error', message: "Op '{0}' (node '{1}') has no TensorFlow.js lowering." },
  DLM5002: { severity: 'error', message: "Op '{0}' (node '{1}') cannot run on TensorFlow.js: {2}" },
  DLM5003: { severity: 'error', message: "No value for {0} '{1}' was given to the executor." },
  DLM5004: { severity: 'error', message: "Input '{0}' has shape {1}, but model '{2}' expects {3}." },
  DLM5005: { severity: 'error', message: "Graph '{0}' uses value '{1}' that no input, parameter or node defines." },
  DLM5010: { severity: 'error', message: "Backend '{0}' could not be started: {1}" },
  DLM5011: { severity: 'error', message: "Backend '{0}' was requested, but TensorFlow.js is running on '{1}' instead." },
  DLM5012: { severity: 'error', message: "Unknown backend '{0}': choose auto, webgpu, wasm or cpu." },
  // DLM5050–DLM5099: training, evaluation, checkpoints (@dlm/tfjs train/ and checkpoint.ts).
  DLM5050: { severity: 'error', message: "Checkpoint '{0}' does not fit model '{1}': {2}." /* dir, model, summary; notes list each mismatch */ },
  DLM5051: { severity: 'error', message: "Cannot read checkpoint '{0}': {1}" },
  DLM5052: { severity: 'error', message: "The loss became {0} at epoch {1}, batch {2}; training stopped. {3}" /* NaN/Infinity, …, where the last good checkpoint is */ },
  DLM5053: { severity: 'error', message: "Label {0} in the {1} data does not fit model '{2}': output '{3}' has {4} classes (labels must be 0..{5})." },
  DLM5054: { severity: 'error', message: "Dataset '{0}' gives samples of shape {1}, but model '{2}' input '{3}' expects {4}." },
  DLM5055: { severity: 'error', message: "No checkpoint in '{0}': give a run directory (runs/<model>), its 'last' file, or an epoch directory holding state.json." },
  DLM5056: { severity: 'error', message: "Training refers to model '{0}', which is not in the program." },
  DLM5057: { severity: 'error', message: "Dataset '{0}' gives targets of shape {1}, which do not fit model '{2}' output '{3}' of shape {4}." },
  DLM5058: { severity: 'warning', message: "Loss '{0}' expects {1}, but model '{2}' output '{3}' is produced by {4}." },
  DLM5059: { severity: 'error', message: "early_stopping monitors '{0}', which this training does not compute; available: {1}." },
  DLM5060: { severity: 'error', message: "{0} '{1}' failed while training: {2}" /* kind (loss, metric, …), name, message */ },
  DLM5061: { severity: 'error', message: "GAN training: {0}" },
  DLM5062: { severity: 'error', message: "Training setting '{0}' must be {1}, got {2}." },
  DLM5063: { severity: 'error', message: "Model '{0}' has {1} inputs and {2} outputs; supervised training needs exactly one of each." },
  DLM5064: { severity: 'error', message: "Could not write checkpoint '{0}': {1}" },
  DLM5065: { severity: 'warning', message: "The real images of '{0}' range over [{1}, {2}], but generator '{3}' ends with {4} (outputs in {5}); the discriminator can tell real from fake by range alone. {6}" },
} as const;
