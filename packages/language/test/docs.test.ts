/**
 * The code in docs/language.md stays true: every fenced .dlm snippet parses (fragments of a body
 * are parsed inside a model), and every complete program without imports compiles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '@dlm/core';
import { compileSource, parse } from '../src/index.js';
import { makeRegistry } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const doc = fs.readFileSync(path.resolve(here, '../../../docs/language.md'), 'utf8');
/** Untagged fenced blocks (tagged ones are EBNF or TypeScript). */
function fencedSnippets(text: string): string[] {
  const out: string[] = [];
  let current: string[] | undefined;
  let tagged = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) {
      if (current === undefined) {
        current = [];
        tagged = line.length > 3;
      } else {
        if (!tagged) out.push(current.join('\n') + '\n');
        current = undefined;
      }
    } else if (current) current.push(line);
  }
  return out;
}
const snippets = fencedSnippets(doc);
const registry = makeRegistry();

describe('docs/language.md', () => {
  it('has snippets', () => {
    expect(snippets.length).toBeGreaterThan(8);
  });
  snippets.forEach((s, i) => {
    const complete = /^(\/\/.*\n)*\s*(model|block|train|let|import)\b/.test(s);
    it(`snippet ${i + 1} ${complete ? 'compiles' : 'parses'}`, () => {
      if (!complete) {
        expect(parse(`model M {\n${s}}\n`, `doc${i}.dlm`).diagnostics).toEqual([]);
        return;
      }
      if (/^import|^train Dcgan/m.test(s)) {
        expect(parse(s, `doc${i}.dlm`).diagnostics).toEqual([]);
        return;
      }
      const out = compileSource(s, `doc${i}.dlm`, { registry });
      expect(formatDiagnostics(out.diagnostics.filter((d) => d.severity === 'error'), { sources: out.sources })).toBe('');
    });
  });
});
