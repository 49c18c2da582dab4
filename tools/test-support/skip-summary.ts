/**
 * A Vitest reporter that ends the run with the tests skipped for a missing system tool (see
 * system-tools.ts), grouped by tool, so a bare machine says what it did not test and how to get it.
 */
import type { Reporter, TestModule } from 'vitest/node';

export class SkipSummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byNote = new Map<string, number>();
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === 'skipped' && r.note?.startsWith('needs ')) byNote.set(r.note, (byNote.get(r.note) ?? 0) + 1);
      }
    }
    if (byNote.size === 0) return;
    const lines = [...byNote].map(([note, n]) => `  skipped: ${note} — ${n} test${n === 1 ? '' : 's'}`);
    process.stdout.write(`\nSystem tools missing (set CI=1 to make these tests required):\n${lines.join('\n')}\n`);
  }
}
