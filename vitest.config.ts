// Root Vitest config: `npx vitest run` from the repo root runs every project.
// Each project has its own vitest.config.ts (merging ./vitest.shared.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'examples/plugins/*/vitest.config.ts', 'tools/vitest.config.ts'],
  },
});
