/** DLM6xxx: ONNX export. Owned by @dlm/onnx. */
export const EXPORT_MESSAGES = {
  DLM6001: { severity: 'error', message: 'ONNX opset {0} is not supported; dlm exports opsets {1} (default {2}).' },
  DLM6002: { severity: 'error', message: "Op '{0}' (node '{1}') has no ONNX lowering, so model '{2}' cannot be exported." },
  DLM6003: { severity: 'error', message: "Op '{0}' (node '{1}') needs ONNX opset {2} or newer, but the export targets opset {3}." },
  DLM6004: { severity: 'error', message: "Op '{0}' (node '{1}') cannot be exported to ONNX: {2}" },
  DLM6005: { severity: 'error', message: "No weights for parameter '{0}' ({1})." },
  DLM6006: { severity: 'error', message: "Weights '{0}' do not belong to any parameter of model '{1}'." },
  DLM6007: { severity: 'error', message: "Weights for parameter '{0}' have {1} values, but its shape {2} needs {3}." },
  DLM6008: { severity: 'error', message: "Cannot write ONNX file '{0}': {1}" },
  DLM6009: { severity: 'error', message: "Value '{0}' used by node '{1}' is not produced by any node, input or parameter of model '{2}'." },
  DLM6010: { severity: 'error', message: "Internal error in the ONNX export of model '{0}': {1} is produced by no node, initializer or graph input; nothing was written. This is a bug in dlm, please report it." },
} as const;
