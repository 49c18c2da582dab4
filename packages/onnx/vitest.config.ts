import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Parity tests start tfjs and onnxruntime sessions; on a busy 2-core machine the first one can
// take several seconds, which is start-up cost, not a hang.
export default mergeConfig(shared, defineProject({ test: { name: '@dlm/onnx', testTimeout: 60_000 } }));
