/** DLM6xxx: ONNX export. Owned by @dlm/onnx. */
export const EXPORT_MESSAGES = {
} as const;
