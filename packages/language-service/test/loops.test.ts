/**
 * Each `for` body is its own scope, as the compiler compiles it: a loop variable, and a name first
 * defined inside a loop, belong to that loop. Two sibling loops that use the same names declare
 * them twice, so rename, references, highlight and go-to-definition keep them apart; a name defined
 * before a loop and reassigned in it stays one declaration.
 */
import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { analyze, definition, highlights, references, rename } from '../src/index.js';

const registry = new PluginRegistry();
registry.register(stdPlugin);

const TEXT = `model M {
  input x: f32[batch, 4]
  output y: f32[batch, 4]

  h = x
  for i in 0..3 {
    t = h |> dense(4 + i)
    h = t |> dense(4)
  }
  for i in 0..3 {
    t = h |> relu
    h = t |> dense(4 - 0 * i)
  }
  t = h
  y = t
}
`;

const an = () => analyze(TEXT, '/p/loops.dlm', registry, () => undefined);
/** Offset of the `n`-th (0-based) occurrence of `s`, plus `shift`. */
const nth = (s: string, n: number, shift = 0) => {
  let at = -1;
  for (let k = 0; k <= n; k++) at = TEXT.indexOf(s, at + 1);
  if (at < 0) throw new Error(`no ${n}th '${s}'`);
  return at + shift;
};
const starts = (spans: { start: number }[]) => spans.map((s) => s.start).sort((a, b) => a - b);

describe('sibling loops declare their names separately', () => {
  it('the program compiles cleanly (the test is about the service, not about errors)', () => {
    expect(an().diagnostics).toEqual([]);
  });

  it('rename of the first loop variable touches the first loop only', () => {
    const r = rename(an(), nth('for i', 0, 4), 'k');
    expect(r).toHaveProperty('edits');
    expect(starts('edits' in r ? r.edits : [])).toEqual([nth('for i', 0, 4), nth('4 + i', 0, 4)]);
  });

  it('rename of a value first defined in the second loop touches that loop only', () => {
    const r = rename(an(), nth('t = h |> relu', 0), 'u');
    expect(starts('edits' in r ? r.edits : [])).toEqual([nth('t = h |> relu', 0), nth('t |> dense(4 - 0 * i)', 0)]);
  });

  it('references and highlight of the first loop value: its definition and its use, nothing else', () => {
    const a = an();
    const at = nth('t |> dense(4)', 0);
    expect(starts(references(a, at, true))).toEqual([nth('t = h |> dense', 0), at]);
    expect(starts(references(a, at, false))).toEqual([at]);
    expect(highlights(a, at).map((h) => [h.span.start, h.kind])).toEqual([
      [nth('t = h |> dense', 0), 'write'],
      [at, 'read'],
    ]);
  });

  it('go-to-definition from a use in the second loop lands in the second loop', () => {
    const a = an();
    expect(definition(a, nth('0 * i', 0, 4))).toMatchObject({ start: nth('for i', 1, 4) });
    expect(definition(a, nth('t |> dense(4 - 0 * i)', 0))).toMatchObject({ start: nth('t = h |> relu', 0) });
  });

  it('a name defined after the loops is a third declaration; the value threaded through both loops is one', () => {
    const a = an();
    expect(definition(a, nth('y = t', 0, 4))).toMatchObject({ start: nth('t = h\n', 0) });
    expect(starts(references(a, nth('y = t', 0, 4), true))).toEqual([nth('t = h\n', 0), nth('y = t', 0, 4)]);
    // h: defined before the loops, reassigned in each: rename touches every occurrence.
    const r = rename(a, nth('h = x', 0), 'g');
    const hs: number[] = [];
    for (let at = TEXT.indexOf('h'); at >= 0; at = TEXT.indexOf('h', at + 1)) if (!/[a-z]/.test(TEXT[at - 1]!) && !/[a-z]/.test(TEXT[at + 1]!)) hs.push(at);
    expect(starts('edits' in r ? r.edits : [])).toEqual(hs);
    expect(hs.length).toBe(6);
  });

  it('renaming a loop value to the name of the other loop value is not a clash', () => {
    const text = TEXT.replace('t = h |> relu', 's = h |> relu').replace('t |> dense(4 - 0 * i)', 's |> dense(4 - 0 * i)');
    const a = analyze(text, '/p/loops.dlm', registry, () => undefined);
    expect(a.diagnostics).toEqual([]);
    expect(rename(a, text.indexOf('t = h |> dense'), 's')).toHaveProperty('edits');
    // …but renaming it to a name visible in the loop is (h is defined before it).
    expect(rename(a, text.indexOf('t = h |> dense'), 'h')).toHaveProperty('error');
  });
});
