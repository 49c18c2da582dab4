/**
 * Test plumbing shared by the parity suites: the Python with torch (found exactly as dlm finds
 * it), a skip reason when there is none (a failure when CI is set), and the example models.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, hasErrors, PluginRegistry, type Graph } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { describeTorchPython, findTorchPython, type TorchPython } from '../../src/node.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

const found = findTorchPython();
/** The interpreter with torch, or undefined (then `TORCH_SKIP` says why). */
export const TORCH: TorchPython | undefined = found.result;
export const TORCH_SKIP = TORCH ? '' : `python3-torch is not installed (${formatDiagnostics(found.diagnostics)})`;
if (TORCH) console.log(`torch parity tests use ${describeTorchPython(TORCH)}`);
else if (process.env['CI']) throw new Error(`CI is set but ${TORCH_SKIP}`);
else console.warn(`SKIPPED torch parity tests: ${TORCH_SKIP}`);

function dlmFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'plugins' || f === 'node_modules' ? [] : dlmFiles(p);
    return f.endsWith('.dlm') ? [p] : [];
  });
}

/** Every model of every examples/*.dlm file, compiled with the standard plugins. */
export function exampleModels(): { file: string; graph: Graph }[] {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const out: { file: string; graph: Graph }[] = [];
  for (const file of dlmFiles(join(REPO_ROOT, 'examples')).sort()) {
    const c = compileFile(file, { registry });
    if (hasErrors(c.diagnostics)) throw new Error(formatDiagnostics(c.diagnostics, { sources: c.sources }));
    for (const g of c.program.models) out.push({ file, graph: g });
  }
  return out;
}
