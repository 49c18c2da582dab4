/** DLM5xxx: execution, datasets, training, checkpoints. Owned by @dlm/tfjs. */
export const EXECUTION_MESSAGES = {
} as const;
