/**
 * A Vitest reporter that ends the run with the tests skipped for a missing system tool (see
 * system-tools.ts), grouped by tool, so a bare machine says what it did not test and how to get it.
 *
 * `npm test` runs each project in its own Vitest (nx), which would print one summary per project.
 * There `tools/test-support/run-tests.mjs` sets DLM_SKIP_SUMMARY_FILES: each project then writes its
 * skips to `<project>/.test-skips.json` (an nx output, so cached runs restore it) and the script
 * prints one summary over all of them at the end. A plain `vitest run` prints its own.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { formatSkipSummary, SKIPS_FILE } from './skip-format.mjs';

/** Count of skipped tests per note ("needs X (install: …)"). */
export type SkipCounts = Record<string, number>;

export class SkipSummaryReporter implements Reporter {
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts: SkipCounts = {};
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === 'skipped' && r.note?.startsWith('needs ')) counts[r.note] = (counts[r.note] ?? 0) + 1;
      }
    }
    if (process.env['DLM_SKIP_SUMMARY_FILES']) writeFileSync(path.join(this.root, SKIPS_FILE), JSON.stringify(counts) + '\n');
    else process.stdout.write(formatSkipSummary(counts));
  }
}
