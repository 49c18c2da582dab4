/** DLM4xxx: train blocks and plugin arguments. Owned by @dlm/language and @dlm/core's arg validation. */
export const TRAINING_SPEC_MESSAGES = {
  DLM4001: { severity: 'error', message: "Unknown {0} '{1}'." /* kind (dataset, loss, …), name */ },
  DLM4002: { severity: 'error', message: "Argument '{0}' of '{1}' expects {2}, got {3}." },
  DLM4003: { severity: 'error', message: "Unknown argument '{0}' for '{1}'." },
  DLM4004: { severity: 'error', message: "Missing required argument '{0}' for '{1}'." },
  DLM4005: { severity: 'error', message: "Too many positional arguments for '{0}': it takes {1}." },
  DLM4006: { severity: 'error', message: "Argument '{0}' given twice for '{1}'." },
  DLM4007: { severity: 'error', message: "Argument '{0}' of '{1}' must be {2}, got {3}." /* range / enum */ },
  DLM4010: { severity: 'error', message: "Unknown train setting '{0}'." },
  DLM4011: { severity: 'error', message: "Train block '{0}' is missing '{1}'." },
  DLM4012: { severity: 'error', message: "Train setting '{0}' is given twice." },
  DLM4013: { severity: 'error', message: "Train setting '{0}' expects {1}, got {2}." },
  DLM4014: { severity: 'error', message: "Train setting '{0}' takes one value, got {1}." },
  DLM4015: { severity: 'error', message: "Train setting '{0}' is only for GAN train blocks (with 'generator' and 'discriminator')." },
  DLM4016: { severity: 'warning', message: "Loss '{0}' expects {1}, but model '{2}' ends with {3}." },
} as const;
