/** DLM3xxx: types and shapes. Shared by op shape rules (@dlm/core) and the compiler. */
export const SHAPE_MESSAGES = {
  DLM3001: { severity: 'error', message: '{0}: {1}' /* op shape rule failure: op name, rule's message */ },
  DLM3002: { severity: 'error', message: "Dimension mismatch: '{0}' cannot be both {1} and {2}." },
  DLM3003: { severity: 'error', message: "Output '{0}' is declared as {1} but the model computes {2}." },
  DLM3004: { severity: 'error', message: "'{0}' takes {1} input(s), got {2}." },
  DLM3005: { severity: 'error', message: "{0}: {1}" /* a layer rejected its arguments or inputs */ },
  DLM3006: { severity: 'error', message: "Index {0} is out of range for axis {1} of size {2} (the tensor is {3})." },
  DLM3007: { severity: 'error', message: "Slice {0} is out of range for axis {1} of size {2} (the tensor is {3}); bounds must lie in {4}..{2}." },
  DLM3008: { severity: 'error', message: "Slice {0} on axis {1} of {2} selects nothing." },
  DLM3009: { severity: 'error', message: "Too many indices: {0} for a tensor of rank {1} ({2})." },
  DLM3010: { severity: 'error', message: "A slice step cannot be 0." },
  DLM3011: { severity: 'error', message: "Only one '...' is allowed in an index." },
  DLM3012: { severity: 'error', message: "Slice {0} on axis {1} of size {2} (the tensor is {3}) cannot be computed for a symbolic size: {4}." },
  DLM3020: { severity: 'error', message: '{0} would hold {1} elements ({2}), more than {3}, the most one tensor can hold.' },
} as const;
