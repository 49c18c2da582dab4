import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The package is CommonJS (what VS Code loads); its tests are ES modules, hence .mts.
export default mergeConfig(shared, defineProject({ test: { name: 'dlm-vscode', include: ['test/**/*.test.mts'] } }));
