/**
 * Diagram failures that a user can cause (a bad option, Mermaid rejecting text, no browser) are
 * thrown as `DiagramError`, which carries a catalogue diagnostic. Callers (the CLI) print
 * `err.diagnostic` and never a stack trace.
 */
import { diag, type Diagnostic, type MessageCode } from '@dlm/core';

export class DiagramError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(code: MessageCode & `DLM7${string}`, args: readonly (string | number)[], suggestion?: string) {
    const d = diag(code, args, undefined, [], suggestion);
    super(d.message);
    this.name = 'DiagramError';
    this.diagnostic = d;
  }
}
