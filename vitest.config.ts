// Root Vitest config: `npx vitest run` from the repo root runs every project.
// Each project has its own vitest.config.ts (merging ./vitest.shared.ts).
import { defineConfig } from 'vitest/config';
import { SkipSummaryReporter } from './tools/test-support/skip-summary.ts';

export default defineConfig({
  test: {
    reporters: ['default', new SkipSummaryReporter()],
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'examples/plugins/*/vitest.config.ts', 'tools/vitest.config.ts'],
  },
});
