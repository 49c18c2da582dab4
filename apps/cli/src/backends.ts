/**
 * The heavy parts of dlm (@dlm/tfjs with TensorFlow.js and Dawn, @dlm/onnx with protobufjs,
 * @dlm/mermaid with Mermaid and playwright) are optional peer dependencies of the CLI, loaded
 * only by the commands that need them, so `dlm check/compile/summary/fmt` install and start
 * without them. A missing one is DLM9005: "install X to do Y".
 */
import { diag, type Diagnostic } from '@dlm/core';

/** Thrown when an optional backend is not installed; runCli prints its diagnostic. */
export class MissingPackageError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(pkg: string, purpose: string) {
    const d = diag('DLM9005', [pkg, purpose]);
    super(d.message);
    this.name = 'MissingPackageError';
    this.diagnostic = d;
  }
}

/** True when `e` says that `pkg` itself (not something it imports) cannot be found. */
function isMissing(e: unknown, pkg: string): boolean {
  const err = e as NodeJS.ErrnoException | null;
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' && err?.code !== 'MODULE_NOT_FOUND') return false;
  return new RegExp(`['"]${pkg.replace(/[/@]/g, '\\$&')}['"]`).test(err.message ?? '');
}

// Each import() names its package literally, so bundlers and dependency tools see it.

export async function loadTfjs(purpose: string): Promise<typeof import('@dlm/tfjs')> {
  try {
    return await import('@dlm/tfjs');
  } catch (e) {
    if (isMissing(e, '@dlm/tfjs')) throw new MissingPackageError('@dlm/tfjs', purpose);
    throw e;
  }
}

export async function loadOnnx(purpose: string): Promise<typeof import('@dlm/onnx')> {
  try {
    return await import('@dlm/onnx');
  } catch (e) {
    if (isMissing(e, '@dlm/onnx')) throw new MissingPackageError('@dlm/onnx', purpose);
    throw e;
  }
}

export async function loadMermaid(purpose: string): Promise<typeof import('@dlm/mermaid')> {
  try {
    return await import('@dlm/mermaid');
  } catch (e) {
    if (isMissing(e, '@dlm/mermaid')) throw new MissingPackageError('@dlm/mermaid', purpose);
    throw e;
  }
}

export async function loadTorch(purpose: string): Promise<typeof import('@dlm/torch')> {
  try {
    return await import('@dlm/torch');
  } catch (e) {
    if (isMissing(e, '@dlm/torch')) throw new MissingPackageError('@dlm/torch', purpose);
    throw e;
  }
}

export async function loadTorchNode(purpose: string): Promise<typeof import('@dlm/torch/node')> {
  try {
    return await import('@dlm/torch/node');
  } catch (e) {
    if (isMissing(e, '@dlm/torch/node') || isMissing(e, '@dlm/torch')) throw new MissingPackageError('@dlm/torch', purpose);
    throw e;
  }
}
