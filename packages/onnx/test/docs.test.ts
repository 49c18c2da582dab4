/** docs/onnx.md stays true: its op table lists exactly the lowering table's ops, with the right opsets. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { OP_NAMES } from '@dlm/core';
import { LOWERING_RULES, SUPPORTED_OPSETS } from '../src/index.js';
import { REPO_ROOT } from './helpers/run.js';

const doc = readFileSync(join(REPO_ROOT, 'docs/onnx.md'), 'utf8');
const rows = new Map(
  doc
    .split('\n')
    .filter((l) => /^\| [A-Z][A-Za-z]+ \| (✓|—) /.test(l))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return [cells[1]!, cells.slice(2, 2 + SUPPORTED_OPSETS.length)] as const;
    }),
);

it('lists every core op once', () => {
  expect([...rows.keys()].sort()).toEqual([...OP_NAMES].sort());
});

it('marks the opsets each rule can target', () => {
  for (const rule of LOWERING_RULES) {
    const want = SUPPORTED_OPSETS.map((o) => (o >= rule.minOpset ? '✓' : '—'));
    expect([rule.op, rows.get(rule.op)]).toEqual([rule.op, want]);
  }
});
