/**
 * Real models for the tests: every `examples/**\/*.dlm` of the repository plus the test models in
 * ./models, compiled by @dlm/language with @dlm/plugin-std (test-only dependencies).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, hasErrors, PluginRegistry, type Program } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import extras from 'dlm-plugin-extras';

export const HERE = fileURLToPath(new URL('.', import.meta.url));
export const REPO = resolve(HERE, '../../..');

function dlmFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (e === 'node_modules' || e === 'fixtures') continue;
    if (statSync(p).isDirectory()) out = out.concat(dlmFiles(p));
    else if (e.endsWith('.dlm')) out.push(p);
  }
  return out;
}

export interface NamedProgram {
  /** Golden-file stem, e.g. "examples/mnist/mnist_cnn" or "models/hostile". */
  name: string;
  program: Program;
}

/** The registry the examples compile against: the standard library and the example plugin. */
export function registry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  registry.register(extras);
  return registry;
}

/** What the CLI passes as `classOf`: a layer plugin's own `diagramClass`. */
export function classOf(kind: string): string | undefined {
  return REGISTRY.get('layer', kind)?.def.diagramClass;
}
const REGISTRY = registry();

/** Compiles a .dlm file; compile errors fail the caller with the printed diagnostics. */
export function compileDlm(file: string): Program {
  const text = readFileSync(file, 'utf8');
  const out = compileSource(text, file, { registry: registry() });
  if (hasErrors(out.diagnostics)) throw new Error(`${file} does not compile:\n${formatDiagnostics(out.diagnostics, { sources: out.sources })}`);
  return out.program;
}

export function exampleFiles(): string[] {
  return dlmFiles(join(REPO, 'examples'));
}

export function testModelFiles(): string[] {
  return dlmFiles(join(HERE, 'models'));
}

export function stemOf(file: string): string {
  const rel = file.startsWith(join(REPO, 'examples')) ? relative(REPO, file) : relative(HERE, file);
  return rel.replace(/\.dlm$/, '');
}
