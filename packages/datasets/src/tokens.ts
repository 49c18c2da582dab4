/** Tokens and vocabularies of the `text` dataset: pure, so the browser can encode text the same way. */
import type { TextTokenizer } from '@dlm/core';

export const PAD = 0;
export const UNK = 1;

/** Lowercases, removes HTML tags and splits on anything that is not a letter. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .split(/[^\p{L}]+/u)
    .filter((t) => t.length > 0);
}

export interface Vocabulary {
  /** Index → word; [0] is "<pad>", [1] is "<unk>". */
  words: string[];
  ids: Map<string, number>;
}

/** The most frequent words of `texts` (ties in alphabetical order), at most `size` entries with <pad> and <unk>. */
export function buildVocabulary(texts: readonly string[][], size: number): Vocabulary {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words = ['<pad>', '<unk>', ...sorted.slice(0, Math.max(0, size - 2)).map(([w]) => w)];
  return { words, ids: new Map(words.map((w, i) => [w, i])) };
}

/** Token ids of one text, truncated to its first `maxLen` tokens and padded with <pad>. */
export function encodeTokens(tokens: readonly string[], vocab: Vocabulary, maxLen: number, padding: 'pre' | 'post', out: Int32Array, offset: number): void {
  const n = Math.min(tokens.length, maxLen);
  const start = padding === 'pre' ? maxLen - n : 0;
  for (let i = 0; i < n; i++) {
    const id = vocab.ids.get(tokens[i]);
    out[offset + start + i] = id === undefined || id < 2 ? UNK : id;
  }
}

/**
 * Token ids [maxLen] of one raw text, exactly as the `text` dataset encoded its samples, with the
 * tokenizer a checkpoint recorded (`DatasetInfo.tokenizer`): how `dlm predict --text` feeds a
 * trained model.
 */
export function encodeText(text: string, tokenizer: TextTokenizer): Int32Array {
  // A character model's vocabulary has no padding id: its text is fed as it is by `dlm sample`.
  if (tokenizer.scheme !== 'words') throw new Error(`encodeText encodes the 'words' scheme, not '${tokenizer.scheme}'`);
  const vocab: Vocabulary = { words: tokenizer.words, ids: new Map(tokenizer.words.map((w, i) => [w, i])) };
  const out = new Int32Array(tokenizer.maxLen);
  encodeTokens(tokenize(text), vocab, tokenizer.maxLen, tokenizer.padding, out, 0);
  return out;
}
