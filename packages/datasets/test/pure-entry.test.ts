/**
 * The "." entry must load in a browser: no module it reaches (through relative imports) may import
 * a Node built-in. Files, downloads and caches belong to "./node".
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../src');
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Every import specifier of a file (static imports and re-exports). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!);
}

function reach(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const specs = specifiers(file);
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) todo.push(resolve(dirname(file), s.replace(/\.js$/, '.ts')));
  }
  return seen;
}

describe('the pure entry', () => {
  it('reaches no Node built-in', () => {
    const graph = reach(join(SRC, 'index.ts'));
    const offenders = [...graph].flatMap(([file, specs]) => specs.filter((s) => BUILTINS.has(s)).map((s) => `${file.slice(SRC.length + 1)} imports ${s}`));
    expect(offenders).toEqual([]);
    expect(graph.size).toBeGreaterThan(5);
    // Nor does it name an asset: a bundler would ship the 1.6 MB sample with any import of it.
    const withAssets = [...graph.keys()].filter((f) => /new URL\('[^']+',\s*import\.meta\.url\)/.test(readFileSync(f, 'utf8')));
    expect(withAssets).toEqual([]);
  });

  it('the check itself finds the Node entry impure', () => {
    const graph = reach(join(SRC, 'node.ts'));
    expect([...graph.values()].flat().some((s) => BUILTINS.has(s))).toBe(true);
  });
});
