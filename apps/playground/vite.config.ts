import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { mnistSampleDefines } from './scripts/mnist-sample.ts';
import { nodeShims } from './scripts/node-shims.ts';

const root = dirname(fileURLToPath(import.meta.url));

// '@dlm/source': the page builds from the sibling packages' TypeScript sources, like the tests.
export default defineConfig({
  root,
  base: './',
  resolve: { conditions: ['@dlm/source', ...defaultClientConditions] },
  plugins: [nodeShims()],
  // Build-time data: the example the editor starts with, and the MNIST sample it trains on.
  define: {
    __DLM_EXAMPLE__: JSON.stringify(readFileSync(join(root, '../../examples/mnist/mnist_cnn.dlm'), 'utf8')),
    ...mnistSampleDefines(),
  },
  build: { outDir: 'dist/web', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000, reportCompressedSize: false },
  // Dev server: one pre-bundled copy of tfjs-core, including the gradient registrations
  // (otherwise the deep import would load a second copy with an empty flag registry).
  optimizeDeps: { include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-core/dist/register_all_gradients', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu'], exclude: ['@tensorflow/tfjs-backend-wasm'] },
  server: { fs: { allow: [`${root}/../..`] } },
});
