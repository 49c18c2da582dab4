/** Completion: keywords, names in scope, layers, block and plugin arguments, train-block keys and plugin names. */

import { INITIALIZER_KINDS, lex } from '@dlm/language';
import type { Analysis } from './analysis.js';
import { argsOf, TRAIN_KEYS, trainKeyOf, type Kind } from './plugin-args.js';

// ───────────────────────────── completion ─────────────────────────────

export interface CompletionEntry {
  label: string;
  kind: 'layer' | 'block' | 'value' | 'constant' | 'argument' | 'plugin' | 'keyword' | 'model';
  detail?: string;
  doc?: string;
  insertText?: string;
}

/** The train-block keys the compiler accepts, and the plugin kind each key names. */
/**
 * Completion at `offset`, decided from the tokens before it (robust while the file is half typed):
 * inside `name(…)` the callee's argument names; after a train key the plugins of that kind; at the
 * start of a train entry the keys; in a model/block body layers, blocks and values; at top level
 * the declaration keywords.
 */
export function complete(an: Analysis, offset: number): CompletionEntry[] {
  const tokens = lex(an.text.slice(0, offset), an.file).tokens;
  // Drop the word being typed.
  const last = tokens[tokens.length - 1];
  const typing = last && last.startOffset + last.image.length === offset && /^[A-Za-z_]/.test(last.image) ? last : undefined;
  const before = typing ? tokens.slice(0, -1) : tokens;
  // Structure: the top-level item keyword and the stack of open brackets.
  let itemKw: string | undefined;
  const open: { ch: string; idx: number }[] = [];
  for (let i = 0; i < before.length; i++) {
    const t = before[i]!;
    const img = t.image;
    if (open.length === 0 && ['model', 'block', 'train', 'let', 'import'].includes(img)) {
      itemKw = img;
    }
    if (img === '(' || img === '[' || img === '{') open.push({ ch: img, idx: i });
    else if (img === ')' || img === ']' || img === '}') {
      open.pop();
      if (open.length === 0 && img === '}') itemKw = undefined;
    }
  }
  const prev = before[before.length - 1];
  const item = an.ast.items.find((it) => it.span.start <= offset && offset <= it.span.end + 1);
  const scopeDecls = (): CompletionEntry[] => {
    const out: CompletionEntry[] = [];
    const body = item && (item.kind === 'model' || item.kind === 'block') ? an.symbols.bodyScopes.get(item) : undefined;
    const seen = new Set<string>();
    for (const d of body ?? []) {
      // A loop's variable and the names defined in its body exist only inside it (sibling loops
      // may declare the same name: offered once).
      if (d.loop && !(d.loop.start <= offset && offset <= d.loop.end)) continue;
      if (seen.has(d.name)) continue;
      seen.add(d.name);
      out.push({ label: d.name, kind: d.kind === 'constant' || d.kind === 'param' ? 'constant' : 'value', detail: d.kind });
    }
    for (const d of an.symbols.moduleScope.values()) {
      if (d.kind === 'constant') out.push({ label: d.name, kind: 'constant', detail: 'constant' });
    }
    return out;
  };
  const layers = (): CompletionEntry[] => [
    ...an.registry.entries('layer').map((r) => ({ label: r.def.name, kind: 'layer' as const, detail: `layer (${r.plugin})`, doc: r.def.doc })),
    ...[...an.symbols.moduleScope.values()].filter((d) => d.kind === 'block').map((d) => ({ label: d.name, kind: 'block' as const, detail: 'block' })),
  ];
  const plugins = (kind: Kind): CompletionEntry[] =>
    an.registry.entries(kind).map((r) => ({ label: r.def.name, kind: 'plugin' as const, detail: `${kind} (${r.plugin})`, doc: r.def.doc }));

  // Inside a call's parentheses: argument names of the callee.
  const top = open[open.length - 1];
  if (top?.ch === '(' && top.idx > 0) {
    const callee = before[top.idx - 1]!.image;
    const args = argsOf(an, callee, itemKw === 'train' ? trainKeyOf(before, top.idx) : undefined);
    const atArgStart = prev === undefined || prev.image === '(' || prev.image === ',';
    const out: CompletionEntry[] = [];
    if (atArgStart) out.push(...args.map((a) => ({ label: a.name, kind: 'argument' as const, detail: a.detail, doc: a.doc, insertText: `${a.name}: ` })));
    out.push(...scopeDecls());
    return out;
  }
  if (itemKw === 'train' && open.length === 1) {
    // The entry key is the first token of the current line.
    const lineStart = an.text.lastIndexOf('\n', offset - 1) + 1;
    const onLine = before.filter((t) => t.startOffset >= lineStart);
    if (onLine.length === 0) return Object.keys(TRAIN_KEYS).map((k) => ({ label: k, kind: 'keyword' as const, detail: 'train setting' }));
    const key = onLine[0]!.image;
    const kind = TRAIN_KEYS[key];
    if (kind === 'model') return [...an.symbols.moduleScope.values()].filter((d) => d.kind === 'model').map((d) => ({ label: d.name, kind: 'model' as const }));
    if (kind) return plugins(kind as Kind);
    return scopeDecls();
  }
  if (itemKw === 'train' && open.length === 0) {
    return [...an.symbols.moduleScope.values()].filter((d) => d.kind === 'model').map((d) => ({ label: d.name, kind: 'model' as const }));
  }
  // Parameter settings after a call: `{ weight: init he_normal, regularize l2(1e-4), trainable false }`.
  if ((itemKw === 'model' || itemKw === 'block') && top?.ch === '{' && open.length >= 2) {
    if (prev?.image === 'init') return INITIALIZER_KINDS.map((k) => ({ label: k, kind: 'plugin' as const, detail: 'initializer' }));
    if (prev?.image === 'regularize') return plugins('regularizer');
    if (prev?.image === 'trainable') return ['true', 'false'].map((k) => ({ label: k, kind: 'keyword' as const }));
    if (prev?.image === ':' || prev?.image === ',') return ['init', 'regularize', 'trainable'].map((k) => ({ label: k, kind: 'keyword' as const, detail: 'parameter setting' }));
  }
  if ((itemKw === 'model' || itemKw === 'block') && open.length >= 1) {
    const lineStart = an.text.lastIndexOf('\n', offset - 1) + 1;
    const onLine = before.filter((t) => t.startOffset >= lineStart);
    if (onLine.length === 0 && open.length === 1) {
      return [...['input', 'output', 'let', 'if', 'for'].map((k) => ({ label: k, kind: 'keyword' as const })), ...scopeDecls()];
    }
    return [...layers(), ...scopeDecls(), { label: 'repeat', kind: 'keyword' }];
  }
  return ['model', 'block', 'train', 'let', 'import'].map((k) => ({ label: k, kind: 'keyword' as const }));
}
