/** DLM9xxx: command line and files. Owned by @dlm/cli. */
export const CLI_MESSAGES = {
  DLM9001: { severity: 'error', message: "Cannot read '{0}': {1}" },
  DLM9002: { severity: 'error', message: "Cannot write '{0}': {1}" },
  DLM9003: { severity: 'error', message: "Invalid config file '{0}': {1}" },
  DLM9004: { severity: 'error', message: "Unknown key '{0}' in config file '{1}'." },
  DLM9005: { severity: 'error', message: "Install {0} to {1}: it is an optional part of dlm and is not installed here (npm install --save-dev {0})." },
  // DLM9020–DLM9029: inputs given to `dlm predict`.
  DLM9020: { severity: 'error', message: "'{0}' is ragged: {1} has {2}, but {3} has {4}; give a rectangular nested array (batch first)." },
  DLM9021: { severity: 'error', message: "'{0}' holds {1} at {2}, which is not a finite number; model inputs must be finite (JSON numbers beyond ±1.8e308 read as infinite)." },
  DLM9022: { severity: 'error', message: "'{0}' has shape {1}, but model '{2}' input '{3}' takes {4} (batch first)." },
  DLM9023: { severity: 'error', message: "'{0}' holds {1} at {2}, but model '{3}' input '{4}' takes {5}." },
  DLM9024: { severity: 'error', message: "'{0}' is a {1}×{2} image ({3} pixels), more than the limit of {4} pixels; it was refused before decoding. If the image is genuine, raise the limit with --max-image-pixels or DLM_MAX_IMAGE_PIXELS." },
  DLM9025: { severity: 'error', message: "'{0}' is not an image dlm can read ({1}); give a PNG or JPEG file." },
  DLM9026: { severity: 'error', message: "'{0}' looks like a {1} image but cannot be decoded: {2}." },
  DLM9027: { severity: 'error', message: "--max-image-pixels (or DLM_MAX_IMAGE_PIXELS) must be a positive whole number of pixels, got '{0}'." },
  // DLM9030–DLM9039: `dlm sample` (text generation from a language model).
  DLM9030: { severity: 'error', message: "Model '{0}' cannot generate text: {1}. 'dlm sample' needs one integer input [batch, time] and one output [batch, time, vocabulary] of next-token scores (a language model such as examples/transformer/char_gpt.dlm)." },
  DLM9031: { severity: 'error', message: "Dataset '{0}' of the train block of '{1}' names no tokens, so sampled ids cannot be written as text; 'dlm sample' needs a token dataset such as chars(\"text.txt\")." },
  DLM9032: { severity: 'error', message: "The prompt holds {0}, which is not among the {1} tokens of the vocabulary of '{2}'." },
  DLM9033: { severity: 'error', message: "Model '{0}' scores {1} tokens per position, but its dataset '{2}' has a vocabulary of {3}." },
} as const;
