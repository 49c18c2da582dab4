/** DLM3xxx: types and shapes. Shared by op shape rules (@dlm/core) and the compiler. */
export const SHAPE_MESSAGES = {
  DLM3001: { severity: 'error', message: '{0}: {1}' /* op shape rule failure: op name, rule's message */ },
  DLM3002: { severity: 'error', message: "Dimension mismatch: '{0}' cannot be both {1} and {2}." },
  DLM3003: { severity: 'error', message: "Output '{0}' is declared as {1} but the model computes {2}." },
  DLM3004: { severity: 'error', message: "'{0}' takes {1} input(s), got {2}." },
  DLM3005: { severity: 'error', message: "{0}: {1}" /* a layer rejected its arguments or inputs */ },
  DLM3020: { severity: 'error', message: '{0} would hold {1} elements ({2}), more than {3}, the most one tensor can hold.' },
} as const;
