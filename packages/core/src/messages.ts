/**
 * The one diagnostic catalogue. Codes are stable: never renumber or reuse one.
 * Ranges, one file each under ./messages/ (each owned by one phase):
 *   DLM1xxx syntax (lexer, parser)            DLM5xxx execution and training (@dlm/tfjs)
 *   DLM2xxx names, binding, imports           DLM6xxx ONNX export (@dlm/onnx); DLM61xx PyTorch (@dlm/torch)
 *   DLM3xxx types and shapes                  DLM7xxx diagrams (@dlm/mermaid)
 *   DLM4xxx training specs, plugin arguments  DLM8xxx plugin loading and registration
 *                                             DLM9xxx command line, files
 * Templates use {0}, {1}, … for arguments.
 */
import type { Severity } from './diagnostics.js';
import { SYNTAX_MESSAGES } from './messages/syntax.js';
import { NAME_MESSAGES } from './messages/names.js';
import { SHAPE_MESSAGES } from './messages/shapes.js';
import { TRAINING_SPEC_MESSAGES } from './messages/training-spec.js';
import { EXECUTION_MESSAGES } from './messages/execution.js';
import { EXPORT_MESSAGES } from './messages/export.js';
import { PYTORCH_MESSAGES } from './messages/pytorch.js';
import { DIAGRAM_MESSAGES } from './messages/diagram.js';
import { PLUGIN_MESSAGES } from './messages/plugins.js';
import { CLI_MESSAGES } from './messages/cli.js';

export interface MessageEntry {
  severity: Severity;
  message: string;
}

export const MESSAGES = {
  ...SYNTAX_MESSAGES,
  ...NAME_MESSAGES,
  ...SHAPE_MESSAGES,
  ...TRAINING_SPEC_MESSAGES,
  ...EXECUTION_MESSAGES,
  ...EXPORT_MESSAGES,
  ...PYTORCH_MESSAGES,
  ...DIAGRAM_MESSAGES,
  ...PLUGIN_MESSAGES,
  ...CLI_MESSAGES,
} satisfies Record<string, MessageEntry>;

export type MessageCode = keyof typeof MESSAGES;
