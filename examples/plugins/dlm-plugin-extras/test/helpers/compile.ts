/** Compiles .dlm text with the standard plugin and this plugin, the way the CLI does. */
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, PluginRegistry } from '@dlm/core';
import { compileSource, type CompileOutput } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import plugin from '../../src/index.js';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function registry(): PluginRegistry {
  const r = new PluginRegistry();
  const problems = [...r.register(stdPlugin), ...r.register(plugin, 'dlm-plugin-extras')];
  if (problems.length) throw new Error(formatDiagnostics(problems));
  return r;
}

export function compile(text: string, file = 'test.dlm'): CompileOutput {
  return compileSource(text, file, { registry: registry() });
}

/** Compiles and fails the test with the printed diagnostics when there are any. */
export function compileClean(text: string, file = 'test.dlm'): CompileOutput {
  const out = compile(text, file);
  if (out.diagnostics.length) throw new Error(formatDiagnostics(out.diagnostics, { sources: out.sources }));
  return out;
}
