/**
 * `dlm sample`: a tiny causal transformer trained on a repeating text continues it (greedy), the
 * same seed writes the same text, and a model that cannot generate or a prompt outside the
 * vocabulary is a located diagnostic. The next-token rule (temperature, top-k, seeded draw) is
 * checked on its own first.
 */
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawToken, nextTokenProbabilities } from '../src/sampling.js';
import { dlm, tempDir } from './helpers.js';

describe('next-token rule', () => {
  it('softmax of scores / temperature over the top-k; temperature 0 is the argmax', () => {
    const scores = [1, 3, 2, 0];
    const all = nextTokenProbabilities(scores, { temperature: 1 });
    const z = scores.reduce((a, s) => a + Math.exp(s), 0);
    scores.forEach((s, i) => expect(all[i]).toBeCloseTo(Math.exp(s) / z, 12));
    const top2 = nextTokenProbabilities(scores, { temperature: 0.5, topK: 2 });
    expect(top2[0]).toBe(0);
    expect(top2[3]).toBe(0);
    expect(top2[1]).toBeCloseTo(Math.exp(6) / (Math.exp(6) + Math.exp(4)), 12);
    expect(Array.from(nextTokenProbabilities(scores, { temperature: 0 }))).toEqual([0, 1, 0, 0]);
  });
  it('draws by cumulative probability and skips impossible tokens', () => {
    const p = Float64Array.from([0.25, 0, 0.75]);
    expect([0, 0.2499, 0.25, 0.9999].map((u) => drawToken(p, u))).toEqual([0, 0, 2, 2]);
  });
});

const TEXT = 'abcd'.repeat(40);
const GPT = `
model Tiny {
  input chars: i32[batch, time]
  output logits: f32[batch, time, 4]

  x = chars |> embedding(4, 16) |> positional_embedding(max_len: 8, dim: 16)
  a = x + (x |> layer_norm |> multi_head_attention(heads: 2, dim: 16, causal: true))
  logits = a |> layer_norm |> dense(4)
}

train Tiny {
  data chars("text.txt", context: 8, stride: 1, batch: 16)
  loss cross_entropy
  optimizer adam(lr: 0.03)
  epochs 6
  seed 1
}
`;

const CLASSIFIER = `
model Classifier {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}
`;

describe('dlm sample', { timeout: 240_000 }, () => {
  it('continues the text a trained model learned; the same seed writes the same text', async () => {
    const dir = tempDir({ 'tiny.dlm': GPT, 'text.txt': TEXT });
    const t = await dlm(['train', 'tiny.dlm', '--backend', 'cpu', '--run-dir', 'run', '--workers', '1'], dir);
    expect(t.code, t.stderr).toBe(0);
    const greedy = await dlm(['sample', 'tiny.dlm', '--checkpoint', 'run', '--prompt', 'bcd', '--length', '10', '--temperature', '0', '--backend', 'cpu'], dir);
    expect(greedy.code, greedy.stderr).toBe(0);
    expect(greedy.stdout).toBe('bcdabcdabcdab\n');
    const args = ['sample', 'tiny.dlm', '--checkpoint', 'run', '--length', '10', '--temperature', '2', '--backend', 'cpu'];
    const [a, b, c] = [await dlm([...args, '--seed', '5'], dir), await dlm([...args, '--seed', '5'], dir), await dlm([...args, '--seed', '6'], dir)];
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^a[abcd]{10}\n$/); // no prompt: the text's first character
    expect(c.stdout).not.toBe(a.stdout);

    // The checkpoint holds the vocabulary: with the training text gone, the same command writes
    // the same text; the default prompt (the text's first token) then says what is missing.
    const last = readFileSync(join(dir, 'run/last'), 'utf8').trim();
    const state = JSON.parse(readFileSync(join(dir, 'run', last, 'state.json'), 'utf8')) as { preprocessing?: { tokenizer?: unknown } };
    expect(state.preprocessing?.tokenizer).toEqual({ scheme: 'chars', words: ['a', 'b', 'c', 'd'], maxLen: 8, padding: 'pre' });
    renameSync(join(dir, 'text.txt'), join(dir, 'gone.txt'));
    const withoutText = await dlm(['sample', 'tiny.dlm', '--checkpoint', 'run', '--prompt', 'bcd', '--length', '10', '--temperature', '0', '--backend', 'cpu'], dir);
    expect(withoutText.code, withoutText.stderr).toBe(0);
    expect(withoutText.stdout).toBe(greedy.stdout);
    const seeded = await dlm([...args, '--seed', '5', '--prompt', 'a'], dir);
    expect(seeded.stdout).toBe(a.stdout);
    const noPrompt = await dlm([...args, '--seed', '5'], dir);
    expect(noPrompt.code).toBe(1);
    expect(noPrompt.stderr).toMatch(/cannot open dataset 'chars' for the default prompt, the training text's first token \(give --prompt to do without it\): .*text\.txt/);
    const asText = await dlm(['predict', 'tiny.dlm', '--checkpoint', 'run', '--text', 'abc', '--backend', 'cpu'], dir);
    expect(asText.code).toBe(1);
    expect(asText.stderr).toContain("is a character language model's (its vocabulary has no padding): continue a text with 'dlm sample --prompt'");
    const unknown = await dlm(['sample', 'tiny.dlm', '--checkpoint', 'run', '--prompt', 'abz', '--backend', 'cpu'], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error\[DLM9032\]: The prompt holds "z", which is not among the 4 tokens of the vocabulary of 'Tiny'/);
    expect(unknown.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it('a model that is not a language model is a located diagnostic (a prompt outside the vocabulary: above)', async () => {
    const dir = tempDir({ 'classifier.dlm': CLASSIFIER });
    const notLm = await dlm(['sample', 'classifier.dlm', '--checkpoint', 'run', '--backend', 'cpu'], dir);
    expect(notLm.code).toBe(1);
    expect(notLm.stderr).toMatch(/error\[DLM9030\]: Model 'Classifier' cannot generate text: its input 'x' is f32\[batch, 4\], not token ids \[batch, time\]/);
    expect(notLm.stderr).toMatch(/classifier\.dlm:2:/);
  });
});
