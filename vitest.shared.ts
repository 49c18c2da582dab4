// Shared Vitest settings for every project in the workspace.
// Each project's vitest.config.ts merges this, so `vitest run` inside a package
// and the root `vitest run` (via test.projects) behave the same.
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { SkipSummaryReporter } from './tools/test-support/skip-summary.ts';

// '@dlm/source' first: workspace packages resolve to their TypeScript sources
// (exports["."]["@dlm/source"] -> ./src/index.ts), so tests never need a build.
// Tests run in Vite's SSR (node) environment, which reads ssr.resolve.conditions;
// resolve.conditions alone is NOT enough there (verified). resolve.conditions covers
// browser-like environments.
export default defineConfig({
  resolve: { conditions: ['@dlm/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@dlm/source', ...defaultServerConditions] } },
  test: {
    environment: 'node',
    // After the usual output, a list of tests skipped because a system tool is missing.
    reporters: ['default', new SkipSummaryReporter()],
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    passWithNoTests: true,
    // CI runs several projects' tests at once on 2 cores: a CPU-bound test that takes 2 s alone
    // can pass 5 s (Vitest's default) there, as the scanner's mutation test and a 100,000-layer
    // budget test did. Speed is measured by the benchmarks, not by test timeouts; a hang still fails.
    testTimeout: 30_000,
  },
});
