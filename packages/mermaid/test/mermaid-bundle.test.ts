import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

describe('the Mermaid browser bundle', () => {
  it('is where the renderer loads it from (pins the deep import)', () => {
    // tools/check-deps.mjs allows this deep import into mermaid's build output because this test names it.
    const file = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(100_000); // the whole bundle, not a stub entry
  });
});
