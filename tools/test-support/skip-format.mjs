// The summary of tests skipped for a missing system tool, shared by the Vitest reporter
// (skip-summary.ts) and `npm test`'s end-of-run summary (run-tests.mjs).

/** @param {Record<string, number>} counts skipped tests per note ("needs X (install: …)") */
export function formatSkipSummary(counts) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return '';
  const lines = entries.map(([note, n]) => `  skipped: ${note} — ${n} test${n === 1 ? '' : 's'}`);
  return `\nSystem tools missing (set CI=1 to make these tests required):\n${lines.join('\n')}\n`;
}

/** Where each project's Vitest writes its counts when `npm test` runs them one by one. */
export const SKIPS_FILE = '.test-skips.json';
