/**
 * `chars`: character-level language modelling from one UTF-8 text file. The vocabulary is every
 * character of the file (code points, sorted), so ids are stable and any test character is known;
 * `classNames` and the tokenizer (scheme 'chars', which checkpoints record) list the character of
 * each id, which is how `dlm sample` turns ids back into text without the file.
 * A sample is a window of `context` characters (input) and the same window shifted by one (the
 * next character at every position, the target [context]). The test split is the last
 * `test_fraction` of the text, so no test window overlaps a training one.
 */
import type { Args, Batch, DatasetDef, DatasetOpenContext, DatasetSplit } from '@dlm/core';
import { DatasetError } from '@dlm/core';
import { checkSlice } from './image.js';
import { readFileOrFail, resolveUserPath } from './io.js';

/** Characters (code points) of `text` as ids into `vocabulary` (sorted unique code points). */
export function charVocabulary(text: string): string[] {
  return [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

export const chars: DatasetDef = {
  name: 'chars',
  doc:
    'Character-level language modelling from a UTF-8 text file: input Int32 character ids [context], target the next character at ' +
    'each position [context]. The vocabulary is every character of the file (sorted); the test split is the end of the text.',
  args: [
    { name: 'path', type: 'string', doc: 'A UTF-8 text file (relative to the .dlm file).' },
    { name: 'context', type: 'int', default: 64, min: 1, doc: 'Characters per sample (the model input length).' },
    { name: 'stride', type: 'int', min: 1, optional: true, positional: false, doc: 'Characters between the starts of consecutive samples (default: context, no overlap).' },
    { name: 'test_fraction', type: 'float', default: 0.1, min: 0, max: 0.9, positional: false, doc: 'The share at the end of the text kept for the test split.' },
    { name: 'batch', type: 'int', default: 32, min: 1, positional: false, doc: 'Batch size (read by the trainer).' },
    { name: 'shuffle', type: 'bool', default: true, positional: false, doc: 'Reshuffle the training windows every epoch (read by the trainer).' },
  ],
  async open(args: Args, ctx: DatasetOpenContext): Promise<DatasetSplit> {
    const file = resolveUserPath(String(args.path), ctx.baseDir);
    const context = typeof args.context === 'number' ? args.context : 64;
    const stride = typeof args.stride === 'number' ? args.stride : context;
    const fraction = typeof args.test_fraction === 'number' ? args.test_fraction : 0.1;
    const all = Array.from(readFileOrFail(file).toString('utf8'));
    const vocabulary = charVocabulary(all.join(''));
    const id = new Map(vocabulary.map((c, i) => [c, i]));
    const cut = Math.round(all.length * (1 - fraction));
    const part = ctx.split === 'train' ? all.slice(0, cut) : all.slice(cut);
    const ids = Int32Array.from(part, (c) => id.get(c)!);
    const windows = ids.length > context ? Math.floor((ids.length - context - 1) / stride) + 1 : 0;
    if (windows === 0) {
      throw new DatasetError(`${file}: the ${ctx.split} split has ${ids.length} characters, too few for one sample of context ${context} plus the next character`, file);
    }
    return {
      info: {
        inputShape: [context],
        inputDType: 'i32',
        classes: vocabulary.length,
        classNames: vocabulary,
        targetShape: [context],
        vocabSize: vocabulary.length,
        tokenizer: { scheme: 'chars', words: vocabulary, maxLen: context, padding: 'pre' },
      },
      size: windows,
      slice(start: number, count: number): Batch {
        const m = checkSlice(start, count, windows);
        const x = new Int32Array(m * context);
        const y = new Int32Array(m * context);
        for (let i = 0; i < m; i++) {
          const from = (start + i) * stride;
          x.set(ids.subarray(from, from + context), i * context);
          y.set(ids.subarray(from + 1, from + context + 1), i * context);
        }
        return { x, xShape: [m, context], y, yShape: [m, context] };
      },
    };
  },
};
