/**
 * The TextMate grammar, run by the same engine VS Code uses (vscode-textmate + Oniguruma), on the
 * example models: every construct gets the scope a theme colours it by.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';

const pkg = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
let grammar: IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(require.resolve('vscode-oniguruma'), '..', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === 'source.dlm' ? parseRawGrammar(readFileSync(join(pkg, 'syntaxes/dlm.tmLanguage.json'), 'utf8'), 'dlm.tmLanguage.json') : null),
  });
  grammar = (await registry.loadGrammar('source.dlm'))!;
});

/** Every token as [text, innermost scope]. */
function tokenize(text: string): [string, string][] {
  let state = INITIAL;
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const s = line.slice(t.startIndex, t.endIndex);
      if (s.trim()) out.push([s.trim(), t.scopes[t.scopes.length - 1]!]);
    }
    state = r.ruleStack;
  }
  return out;
}

const scopeOf = (tokens: [string, string][], text: string) => tokens.find(([t]) => t === text)?.[1];

describe('dlm.tmLanguage.json', () => {
  it('scopes declarations, ports, calls, arguments, numbers and comments', () => {
    const toks = tokenize(`import "lib.dlm"
let hidden = 128 // width
/* a block
   over lines */
block Mlp(units: int = 64) {
  input x
  output y
  y = x |> dense(units, activation: relu) |> dropout(0.5e-1)
}
model Net {
  input image: f32[batch, 784]
  output logits: f32[batch, 10]
  logits = image |> repeat 2 as i { Mlp(hidden div 2) } |> dense(10)
}
train Net {
  data mnist(batch: 64, shuffle: true)
  optimizer adam(lr: 1e-3)
  epochs 3
}`);
    expect(scopeOf(toks, 'import')).toBe('keyword.control.import.dlm');
    expect(scopeOf(toks, '"lib.dlm"')).toBe('string.quoted.double.dlm');
    expect(scopeOf(toks, 'let')).toBe('storage.type.let.dlm');
    expect(scopeOf(toks, 'hidden')).toBe('variable.other.constant.dlm');
    expect(scopeOf(toks, '128')).toBe('constant.numeric.dlm');
    expect(scopeOf(toks, '//')).toBe('punctuation.definition.comment.dlm');
    expect(scopeOf(toks, 'width')).toBe('comment.line.double-slash.dlm');
    expect(scopeOf(toks, 'a block')).toBe('comment.block.dlm');
    expect(scopeOf(toks, 'over lines')).toBe('comment.block.dlm');
    expect(scopeOf(toks, 'Mlp')).toBe('entity.name.function.block.dlm');
    expect(scopeOf(toks, 'units')).toBe('variable.parameter.argument.dlm');
    expect(scopeOf(toks, 'input')).toBe('storage.modifier.port.dlm');
    expect(scopeOf(toks, 'x')).toBe('variable.parameter.port.dlm');
    expect(scopeOf(toks, 'y')).toBe('variable.parameter.port.dlm');
    expect(scopeOf(toks, '|>')).toBe('keyword.operator.pipe.dlm');
    expect(scopeOf(toks, 'dense')).toBe('entity.name.function.call.dlm');
    expect(scopeOf(toks, 'activation')).toBe('variable.parameter.argument.dlm');
    expect(scopeOf(toks, '0.5e-1')).toBe('constant.numeric.dlm');
    expect(scopeOf(toks, 'Net')).toBe('entity.name.type.model.dlm');
    expect(scopeOf(toks, 'f32')).toBe('support.type.dtype.dlm');
    expect(scopeOf(toks, 'repeat')).toBe('keyword.control.repeat.dlm');
    expect(scopeOf(toks, 'as')).toBe('keyword.control.repeat.dlm');
    expect(scopeOf(toks, 'div')).toBe('keyword.operator.word.dlm');
    expect(scopeOf(toks, 'train')).toBe('storage.type.train.dlm');
    expect(scopeOf(toks, 'data')).toBe('keyword.other.train-setting.dlm');
    expect(scopeOf(toks, 'optimizer')).toBe('keyword.other.train-setting.dlm');
    expect(scopeOf(toks, 'epochs')).toBe('keyword.other.train-setting.dlm');
    expect(scopeOf(toks, 'mnist')).toBe('entity.name.function.call.dlm');
    expect(scopeOf(toks, 'true')).toBe('constant.language.boolean.dlm');
    expect(toks.filter(([, s]) => s === 'variable.other.definition.dlm').map(([t]) => t)).toEqual(['y', 'logits']);
  });

  it('scopes if/else, for … in, ranges, comparisons, logic, @, slicing and destructuring', () => {
    const toks = tokenize(`block Res(cin: int, cout: int, stride: int = 1) {
  input x
  output y
  if stride == 1 and not (cin != cout) {
    y = x
  } else {
    y = x |> conv2d(cout, kernel: 1)
  }
}
model M {
  input x: f32[batch, time, 64]
  output y: f32[batch, 16]
  for i in 0..3 {
    x = x |> Res(64, 64)
  }
  q, k = x |> split(2)
  y = (q @ k)[:, -1, ..., 1:17:1]
}`);
    expect(scopeOf(toks, 'if')).toBe('keyword.control.conditional.dlm');
    expect(scopeOf(toks, 'else')).toBe('keyword.control.conditional.dlm');
    expect(scopeOf(toks, '==')).toBe('keyword.operator.comparison.dlm');
    expect(scopeOf(toks, '!=')).toBe('keyword.operator.comparison.dlm');
    expect(scopeOf(toks, 'and')).toBe('keyword.operator.logical.dlm');
    expect(scopeOf(toks, 'not')).toBe('keyword.operator.logical.dlm');
    expect(scopeOf(toks, 'for')).toBe('keyword.control.loop.dlm');
    expect(scopeOf(toks, 'in')).toBe('keyword.control.loop.dlm');
    expect(scopeOf(toks, 'i')).toBe('variable.other.definition.dlm');
    expect(scopeOf(toks, '0')).toBe('constant.numeric.dlm');
    expect(scopeOf(toks, '..')).toBe('keyword.operator.range.dlm');
    expect(scopeOf(toks, '3')).toBe('constant.numeric.dlm');
    expect(scopeOf(toks, 'q, k')).toBe('variable.other.definition.dlm');
    expect(scopeOf(toks, '@')).toBe('keyword.operator.arithmetic.dlm');
    expect(scopeOf(toks, '...')).toBe('keyword.operator.range.dlm');
    expect(scopeOf(toks, '17')).toBe('constant.numeric.dlm');
  });

  it('gives every example model a scope for every token and closes every train block', () => {
    const examples = join(pkg, '../../examples');
    const files = readdirSync(examples, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.dlm'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const text = readFileSync(join(examples, f), 'utf8');
      let state = INITIAL;
      for (const line of text.split('\n')) {
        const r = grammar.tokenizeLine(line, state);
        for (const t of r.tokens) {
          const s = line.slice(t.startIndex, t.endIndex).trim();
          // Only brackets and separators may stay unscoped (plain source.dlm).
          if (s && t.scopes.length === 1) expect(/^[{}()[\];:,.\s]+$/.test(s), `${f}: '${s}' has no scope`).toBe(true);
        }
        state = r.ruleStack;
      }
      // The file ends outside any train block / block comment.
      expect(grammar.tokenizeLine('model X', state).tokens[0]!.scopes, f).toEqual(['source.dlm', 'storage.type.model.dlm']);
    }
  });
});
