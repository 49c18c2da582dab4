/** docs/pytorch.md stays true: its op table lists exactly the lowering rules, with what they emit. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { OP_NAMES } from '@dlm/core';
import { TORCH_LOWERING_RULES } from '../src/index.js';
import { REPO_ROOT } from './helpers/env.js';

const doc = readFileSync(join(REPO_ROOT, 'docs/pytorch.md'), 'utf8');
const rows = new Map(
  doc
    .split('\n')
    .filter((l) => /^\| [A-Z][A-Za-z]+ \| /.test(l))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return [cells[1]!, cells[2]!] as const;
    }),
);

it('lists every core op once, with what its rule emits (or that it has none yet)', () => {
  expect([...rows.keys()].sort()).toEqual([...OP_NAMES].sort());
  for (const rule of TORCH_LOWERING_RULES) expect([rule.op, rows.get(rule.op)]).toEqual([rule.op, rule.emits]);
  const ruled = new Set(TORCH_LOWERING_RULES.map((r) => r.op));
  for (const op of OP_NAMES.filter((o) => !ruled.has(o))) expect([op, rows.get(op)]).toEqual([op, 'not yet (DLM6101)']);
});
