import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Parity tests start python3 + torch and tfjs; on a busy 2-core machine that is seconds of start-up.
export default mergeConfig(shared, defineProject({ test: { name: '@dlm/torch', testTimeout: 120_000 } }));
