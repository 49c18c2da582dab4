/**
 * The invalid-program corpus: every file under test/invalid/ must produce diagnostics (each with
 * a code and a span), never throw, and print exactly as its golden `.errors.txt` (core's
 * formatDiagnostics, plain). A missing golden fails; UPDATE=1 writes the goldens.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '@dlm/core';
import { compileFile, compileSource, format } from '../src/index.js';
import { expectGolden } from '@dlm/test-utils';
import { makeRegistry } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(here, 'invalid');
const registry = makeRegistry();
const readFile = (p: string) => {
  try {
    return fs.readFileSync(path.join(here, p), 'utf8');
  } catch {
    return undefined;
  }
};

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.dlm')).sort();

describe('invalid corpus', () => {
  it('has at least 45 programs', () => {
    expect(files.length).toBeGreaterThanOrEqual(45);
  });

  const errorCounts: number[] = [];
  for (const f of files) {
    it(f, () => {
      const display = `invalid/${f}`;
      const out = compileFile(display, { registry, readFile, baseDir: here });
      expect(out.diagnostics.length).toBeGreaterThan(0);
      for (const d of out.diagnostics) {
        expect(d.code).toMatch(/^DLM\d{4}$/);
        expect(d.span).toBeDefined();
      }
      errorCounts.push(out.diagnostics.length);
      const text = formatDiagnostics(out.diagnostics, { sources: out.sources });
      const golden = path.join(DIR, f.replace(/\.dlm$/, '.errors.txt'));
      expectGolden(golden, text);
    });
  }

  it('reports several problems at once in several files', () => {
    expect(errorCounts.filter((n) => n >= 3).length).toBeGreaterThanOrEqual(10);
  });

  it('formatting a syntactically valid file is idempotent and keeps its diagnostics', () => {
    let formatted = 0;
    for (const f of files) {
      const display = `invalid/${f}`;
      const text = readFile(display)!;
      const once = format(text, display).result;
      if (once === undefined) continue;
      formatted++;
      expect(format(once, display).result, f).toBe(once);
      const codes = (t: string) => compileSource(t, display, { registry, readFile }).diagnostics.map((d) => d.code).sort();
      expect(codes(once), f).toEqual(codes(text));
    }
    expect(formatted).toBeGreaterThan(50);
  });

  it('has no stale goldens', () => {
    const goldens = fs.readdirSync(DIR).filter((f) => f.endsWith('.errors.txt'));
    for (const g of goldens) expect(files).toContain(g.replace(/\.errors\.txt$/, '.dlm'));
  });
});
