/**
 * tfjs-core alone (without the @tensorflow/tfjs union package) registers no gradient functions.
 * They live in `@tensorflow/tfjs-core/dist/register_all_gradients.js`, an ESM file whose own
 * imports omit file extensions, which bundlers and Vite accept but plain Node ESM (and tsx) reject.
 * `ensureGradients()` first installs a tiny Node resolve hook (harmless where it is not needed)
 * that retries extensionless relative imports inside tfjs-core/dist with `.js` and
 * `/index.js`. The ESM copy shares the engine and the gradient registry with the CommonJS copy
 * through tfjs' globals (`_tfengine`, `_tfGlobals`), which is how tfjs supports several copies.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerFusedConvGradient } from './fused-conv.js';

const HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const parent = context.parentURL ?? '';
    if (parent.includes('/@tensorflow/tfjs-core/dist/') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
      for (const suffix of ['.js', '/index.js']) {
        try { return await next(specifier + suffix, context); } catch {}
      }
    }
    throw err;
  }
}`;

let pending: Promise<void> | undefined;

export function gradientsRegistered(): boolean {
  return tf.getGradient('Sum') !== undefined && tf.getGradient('Conv2D') !== undefined;
}

/** Registers tfjs-core's gradient functions once per process. */
export function ensureGradients(): Promise<void> {
  registerFusedConvGradient(); // dlm's own (fused-conv.ts), not one of tfjs-core's
  if (gradientsRegistered()) return Promise.resolve();
  pending ??= (async () => {
    // The hook must be in place before the first attempt: Node caches a failed module graph.
    const mod = (await import('node:module')) as { register?: (url: string, parent: string) => void };
    mod.register?.(`data:text/javascript,${encodeURIComponent(HOOK)}`, import.meta.url);
    // A deep import into tfjs-core's build output, pinned by test/backend.test.ts (tools/check-deps.mjs).
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    if (!gradientsRegistered()) throw new Error('tfjs-core gradient functions could not be registered');
  })();
  return pending;
}
