/** Build-time constants from vite.config.ts `define`. */
declare const __DLM_EXAMPLE__: string;
declare const __MNIST_TRAIN__: number;
declare const __MNIST_COUNT__: number;
declare const __MNIST_PIXELS__: string;
declare const __MNIST_LABELS__: string;
declare module '@tensorflow/tfjs-core/dist/register_all_gradients';
