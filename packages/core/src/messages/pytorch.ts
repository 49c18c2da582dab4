/** DLM61xx: PyTorch export and the torch engine. Owned by @dlm/torch. */
export const PYTORCH_MESSAGES = {
  DLM6101: { severity: 'error', message: "Op '{0}' (node '{1}') has no PyTorch lowering, so model '{2}' cannot be written as PyTorch." },
  DLM6102: { severity: 'error', message: "Op '{0}' (node '{1}') cannot be written as PyTorch: {2}" },
  DLM6103: { severity: 'error', message: "Parameter '{0}' cannot be named in a PyTorch module: its part '{1}' {2}." },
  DLM6104: { severity: 'error', message: "No Python with PyTorch found ({0}). Install it with `apt-get install python3-torch` or `pip install torch`, or name an interpreter with --python or DLM_PYTHON." },
  DLM6105: { severity: 'error', message: "Cannot write PyTorch file '{0}': {1}" },
  DLM6106: { severity: 'error', message: "The {0} '{1}' has no PyTorch twin, so this train block cannot run with --engine torch; twins exist for {2}." },
  DLM6107: { severity: 'error', message: "The torch engine cannot run this train block: {0}. Train it with the tfjs engine (the default)." },
  DLM6108: { severity: 'error', message: "The PyTorch training processes stopped ({0}) before the run finished; the last complete checkpoint stays usable with --resume. Their output ended with:\n{1}" },
} as const;
