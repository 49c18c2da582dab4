/**
 * Editor features run on half-typed text all the time: on every example and on truncated and
 * mutated copies of it, hover, definition, completion, rename and the outline must answer at
 * every position without throwing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { analyze, complete, definition, hover, outline, rename, signature } from '../src/index.js';
import { mulberry32 as rng } from '@dlm/core';

const examples = join(import.meta.dirname, '../../../examples');
const files = readdirSync(examples, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.dlm'));
const registry = new PluginRegistry();
registry.register(stdPlugin);

function exercise(text: string, file: string, step: number): void {
  const an = analyze(text, file, registry, (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  });
  outline(an);
  for (let off = 0; off <= text.length; off += step) {
    hover(an, off);
    definition(an, off);
    complete(an, off);
    rename(an, off, 'renamed_x');
    signature(an, off);
  }
}

describe('robustness', () => {
  it.each(files)('%s: every position of the example', (f) => {
    const file = join(examples, f);
    expect(() => exercise(readFileSync(file, 'utf8'), file, 1)).not.toThrow();
    // Every offset of a 2 KB example is thousands of requests: seconds on a busy 2-core machine.
  }, 60_000);

  it('truncated and mutated examples', () => {
    const rand = rng(7);
    const pieces = ['(', ')', '{', '}', '|>', ',', ':', '=', 'repeat', 'x', '"', '/*', '1e', '[', ']', '\n'];
    for (const f of files) {
      const file = join(examples, f);
      const text = readFileSync(file, 'utf8');
      for (let k = 0; k < 60; k++) {
        const at = Math.floor(rand() * text.length);
        const mutated =
          k % 3 === 0
            ? text.slice(0, at)
            : k % 3 === 1
              ? text.slice(0, at) + pieces[Math.floor(rand() * pieces.length)]! + text.slice(at)
              : text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20));
        expect(() => exercise(mutated, file, 7), `${f} mutation ${k} at ${at}`).not.toThrow();
      }
    }
  }, 120_000);
});

describe('if, for and destructuring', () => {
  const text = `let cfg = [8, "M"]
model M {
  input x: f32[batch, 3, 8, 8]
  output y: f32[batch, 4, 4, 4]
  h = x
  for c in cfg {
    if c == "M" {
      h = h |> max_pool(2)
    } else {
      h = h |> conv2d(c, kernel: 3, padding: 1)
    }
  }
  a, b = h |> split(2, axis: 1)
  y = a + b
}
`;
  const an = analyze(text, 'main.dlm', registry, () => undefined);

  it('lists each name once in the outline, destructured names included', () => {
    const m = outline(an).find((o) => o.name === 'M')!;
    expect(m.children.map((c) => `${c.kind} ${c.name}`)).toEqual(['input x', 'output y', 'value h', 'constant c', 'value a', 'value b']);
  });

  it('renames a value threaded through a loop everywhere', () => {
    const r = rename(an, text.indexOf('h = x'), 'feat');
    expect('edits' in r && r.edits.length).toBe(6); // its definition, both sides of the two updates, the split
  });

  it('finds the loop variable from its uses', () => {
    const use = text.indexOf('conv2d(c') + 'conv2d('.length;
    expect(definition(an, use)?.start).toBe(text.indexOf('c in cfg'));
  });
});
