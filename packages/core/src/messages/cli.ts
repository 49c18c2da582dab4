/** DLM9xxx: command line and files. Owned by @dlm/cli. */
export const CLI_MESSAGES = {
  DLM9001: { severity: 'error', message: "Cannot read '{0}': {1}" },
  DLM9002: { severity: 'error', message: "Cannot write '{0}': {1}" },
  DLM9003: { severity: 'error', message: "Invalid config file '{0}': {1}" },
  DLM9004: { severity: 'error', message: "Unknown key '{0}' in config file '{1}'." },
  DLM9005: { severity: 'error', message: "Install {0} to {1}: it is an optional part of dlm and is not installed here (npm install --save-dev {0})." },
} as const;
