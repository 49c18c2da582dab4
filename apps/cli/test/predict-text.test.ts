/**
 * The text dataset's vocabulary is part of the trained model (issue 13.2): training records it in
 * the checkpoint, `dlm predict --text` encodes raw text with it exactly as the dataset encoded its
 * samples, and `dlm export` carries it into the ONNX metadata (`--no-preprocessing` leaves it out).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnx } from '@dlm/onnx';
import { dlm, tempDir } from './helpers.js';

const TINY = `model Tiny {
  input tokens: i32[batch, time]
  output positive: f32[batch, 1]
  positive = tokens |> embedding(60, 4) |> lstm(4) |> dense(1) |> sigmoid
}

train Tiny {
  data text(vocab_size: 60, max_len: 12, batch: 16)
  loss bce
  optimizer adam(lr: 0.01)
  epochs 1
}
`;

describe('the tokenizer travels with the model', () => {
  it('train records the vocabulary; predict --text encodes like the dataset; export puts it in the metadata', async () => {
    const dir = tempDir({ 'tiny.dlm': TINY });
    const trained = await dlm(['train', 'tiny.dlm', '--backend', 'cpu', '--workers', '1', '--limit', '32', '--limit-test', '8', '--run-dir', 'run'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, 'run/epoch-1/state.json'), 'utf8'));
    const tokenizer = state.preprocessing.tokenizer as { scheme: string; words: string[]; maxLen: number; padding: string };
    expect(tokenizer.scheme).toBe('words');
    expect(tokenizer.maxLen).toBe(12);
    expect(tokenizer.padding).toBe('pre');
    expect(tokenizer.words).toHaveLength(60);
    expect(tokenizer.words.slice(0, 2)).toEqual(['<pad>', '<unk>']);

    // The encoding by hand: lowercase, HTML dropped, split on non-letters, unknown words → 1, padded before.
    const text = 'A GREAT movie,<br />the zyzzyva was great!';
    const words = ['a', 'great', 'movie', 'the', 'zyzzyva', 'was', 'great'];
    const ids = words.map((w) => Math.max(1, tokenizer.words.indexOf(w)));
    expect(ids).toContain(1); // 'zyzzyva' is not in the vocabulary
    writeFileSync(join(dir, 'ids.json'), JSON.stringify([[...Array(12 - ids.length).fill(0), ...ids]]));
    const byIds = await dlm(['predict', 'tiny.dlm', '--checkpoint', 'run', '--input', 'ids.json', '--json'], dir);
    expect(byIds.code, byIds.stderr).toBe(0);
    const byText = await dlm(['predict', 'tiny.dlm', '--checkpoint', 'run', '--text', text, '--json'], dir);
    expect(byText.code, byText.stderr).toBe(0);
    expect(byText.stdout).toBe(byIds.stdout);
    const printed = await dlm(['predict', 'tiny.dlm', '--checkpoint', 'run', '--text', text, '--text', 'boring'], dir);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^"A GREAT movie,<br \/>the zyzzyva was g\.\.\.": 0\.\d{4} \(class [01]\)\n"boring": 0\.\d{4} \(class [01]\)\n$/);

    const raw = await dlm(['predict', 'tiny.dlm', '--checkpoint', 'run', '--text', text, '--no-preprocessing'], dir);
    expect(raw.code).toBe(2);
    expect(raw.stderr).toContain("--text needs the checkpoint's vocabulary, which --no-preprocessing leaves out");

    const exported = await dlm(['export', 'tiny.dlm', '--checkpoint', 'run', '-o', 'with.onnx'], dir);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain("vocabulary of 60 words in the metadata ('tokenizer')");
    const meta = onnx.ModelProto.decode(readFileSync(join(dir, 'with.onnx'))).metadataProps.find((m) => m.key === 'tokenizer');
    expect(JSON.parse(meta!.value!)).toEqual({ input: 'tokens', ...tokenizer });
    expect((await dlm(['export', 'tiny.dlm', '--checkpoint', 'run', '-o', 'without.onnx', '--no-preprocessing'], dir)).code).toBe(0);
    expect(onnx.ModelProto.decode(readFileSync(join(dir, 'without.onnx'))).metadataProps.map((m) => m.key)).not.toContain('tokenizer');
  }, 60_000);

  it('--text on a model trained without a vocabulary says so', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i / 20},${(i * 7) % 5},${i % 2}`);
    const dir = tempDir({
      'points.csv': `a,b,label\n${rows.join('\n')}\n`,
      'points.dlm': 'model P {\n  input x: f32[batch, 2]\n  output y: f32[batch, 1]\n  y = x |> dense(1) |> sigmoid\n}\ntrain P {\n  data csv(path: "points.csv", batch: 8)\n  loss bce\n  optimizer sgd(lr: 0.1)\n  epochs 1\n}\n',
    });
    const trained = await dlm(['train', 'points.dlm', '--backend', 'cpu', '--workers', '1', '--limit', '16', '--run-dir', 'run'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    const r = await dlm(['predict', 'points.dlm', '--checkpoint', 'run', '--text', 'hello'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/checkpoint '.*epoch-1' records no vocabulary/);
  }, 60_000);
});
