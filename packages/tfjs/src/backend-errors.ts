/**
 * Errors raised at run time by the executor and backend setup. They carry a catalogue code and
 * a ready-made diagnostic, so the CLI prints them like any other diagnostic (no stack traces).
 */
import { diag, type Diagnostic, type MessageCode, type SourceSpan } from '@dlm/core';

export class DlmExecutionError extends Error {
  readonly code: string;
  readonly diagnostic: Diagnostic;
  constructor(code: MessageCode, args: readonly (string | number)[], span?: SourceSpan) {
    const d = diag(code, args, span);
    super(`${code}: ${d.message}`);
    this.name = 'DlmExecutionError';
    this.code = code;
    this.diagnostic = d;
  }
}
