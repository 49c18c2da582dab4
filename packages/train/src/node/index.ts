/**
 * @dlm/train/node: run folders (atomic checkpoints, `last`, resume), datasets opened relative to
 * the .dlm file, and data-parallel training over worker threads. Everything else is in the
 * browser-safe "." entry.
 */
export { train, openRunFolder, type OpenedRunFolder, evaluate, predict, folderCheckpoints, folderDatasets, resolveCheckpointDir, readCheckpointWeights, type CheckpointUse, type FolderTrainOptions, type FolderEvaluateOptions, type FolderDataOptions } from './run-folder.js';
export { saveCheckpoint, loadCheckpoint, lastCheckpoint, irHash, checkpointParamName, epochDirName } from './checkpoint.js';
export { startShardPool, type WorkerInit } from './data-parallel.js';
export { lockRunFolder, removeLeftovers, describeFsError, type RunLock } from './run-lock.js';
export { runFingerprint, chooseRunFolder, fingerprintDifferences, type RunFingerprint, type FingerprintInput, type ChosenRunFolder } from './fingerprint.js';
