/**
 * One analysed document: the parse, the compile (the same call `dlm check` makes, so the editor
 * shows exactly the CLI's diagnostics) and the symbol table. Every editor feature is a pure
 * function of an Analysis and a position; the server only converts between LSP and these.
 */
import {
  countParamsUnder,
  paramCountsByPath,
  formatType,
  summarize,
  type Diagnostic,
  type Graph,
  type LayerRecord,
  type PluginRegistry,
  type Program,
  type SourceSpan,
} from '@dlm/core';
import { blockOf, buildSymbols, CompileCache, compileSource, lex, occurrenceAt, type ModuleAst, type SymbolDecl as Decl, type SymbolTable } from '@dlm/language';
import type * as A from '@dlm/language';
import { argsOf, TRAIN_KEYS, trainKeyOf } from './plugin-args.js';

export interface Analysis {
  file: string;
  text: string;
  ast: ModuleAst;
  program: Program;
  diagnostics: Diagnostic[];
  symbols: SymbolTable;
  /** The files this one imports (directly), by normalized path. */
  imports: Map<string, { ast: ModuleAst; text: string }>;
  registry: PluginRegistry;
}

/**
 * `cache`: the document's CompileCache (one per open document), so that models the edit did not
 * touch are not compiled again; the analysis is the same with or without it.
 */
export function analyze(text: string, file: string, registry: PluginRegistry, readFile: (path: string) => string | undefined, cache?: CompileCache): Analysis {
  const out = compileSource(text, file, { registry, readFile, ...(cache ? { cache } : {}) });
  // compileSource always binds the file it is given; its binder's view is the one names resolve in.
  const main = out.main!;
  const imports = new Map<string, { ast: ModuleAst; text: string }>();
  for (const m of main.imports) imports.set(m.file, { ast: m.ast, text: out.sources.get(m.file) ?? '' });
  return {
    file,
    text,
    ast: main.ast,
    program: out.program,
    diagnostics: out.diagnostics,
    symbols: buildSymbols(main),
    imports,
    registry,
  };
}

// ───────────────────────────── types of values ─────────────────────────────

const sameSpan = (a: SourceSpan | undefined, b: SourceSpan) => !!a && a.file === b.file && a.start === b.start && a.end === b.end;

/** Every layer record (over all compiled models) written at exactly `span`, with its graph. */
function recordsAt(an: Analysis, span: SourceSpan): { g: Graph; l: LayerRecord }[] {
  const out: { g: Graph; l: LayerRecord }[] = [];
  for (const g of an.program.models) for (const l of g.layers) if (sameSpan(l.span, span)) out.push({ g, l });
  return out;
}

function typeOfValue(g: Graph, name: string): string | undefined {
  for (const v of [...g.inputs, ...g.outputs, ...g.values]) if (v.name === name) return formatType(v.type);
  const p = g.params.find((x) => x.name === name);
  return p ? formatType(p.type) : undefined;
}

/**
 * Distinct output types of the expression at `e` (one per block instance when they differ); with
 * `part`, only that output of a layer with several (the names of `q, k, v = …`).
 */
function exprTypes(an: Analysis, e: A.Expr, depth = 0, part?: number): string[] {
  if (depth > 50) return [];
  if (e.kind === 'paren') return exprTypes(an, e.expr, depth + 1, part);
  if (e.kind === 'pipe') return exprTypes(an, e.stages[e.stages.length - 1]!, depth + 1, part);
  // A bare name is a value, or a layer used without arguments as a pipeline stage (`|> relu`).
  if (e.kind === 'name' && recordsAt(an, e.span).length === 0) {
    const occ = occurrenceAt(an.symbols, an.file, e.span.start);
    return occ && part === undefined ? declTypes(an, occ.decl, depth + 1) : [];
  }
  const types = new Set<string>();
  for (const { g, l } of recordsAt(an, e.span)) {
    const outs = part === undefined ? l.outputs : l.outputs.slice(part, part + 1);
    if (outs.length) types.add(outs.map((o) => typeOfValue(g, o) ?? '?').join(', '));
  }
  return [...types];
}

/** Statements of a body, through the bodies of `if` and `for`. */
function* allStmts(stmts: readonly A.Stmt[]): Generator<A.Stmt> {
  for (const s of stmts) {
    yield s;
    if (s.kind === 'if') yield* allStmts([...s.then, ...(s.else ?? [])]);
    else if (s.kind === 'for') yield* allStmts(s.body);
  }
}

/** For a name of `q, k, v = …`: the statement and which output the name takes. */
function destructuredAt(d: Decl): { stmt: A.DestructureStmt; part: number } | undefined {
  if (!d.owner) return undefined;
  for (const s of allStmts(d.owner.body)) {
    if (s.kind !== 'destructure') continue;
    const part = s.names.findIndex((n) => sameSpan(n.span, d.span));
    if (part >= 0) return { stmt: s, part };
  }
  return undefined;
}

/** The `for` whose loop variable `d` is. */
function loopOf(d: Decl): A.ForStmt | undefined {
  if (!d.owner) return undefined;
  for (const s of allStmts(d.owner.body)) if (s.kind === 'for' && sameSpan(s.variable.span, d.span)) return s;
  return undefined;
}

/** Distinct tensor types a value declaration takes (several when a block is used with different shapes). */
export function declTypes(an: Analysis, d: Decl, depth = 0): string[] {
  const node = d.node;
  if (!node || !d.owner) return [];
  if (d.kind === 'input' || d.kind === 'output') {
    const port = node as A.PortStmt;
    if (d.owner.kind === 'model') {
      const g = an.program.models.find((m) => m.name === d.owner!.name.name);
      const t = g ? typeOfValue(g, port.name.name) : undefined;
      if (t) return [t];
      return port.type ? [typeText(an, port.type)] : [];
    }
    // A block port: its type in each instance, from the instance's inputs/outputs by position.
    const ports = d.owner.body.filter((s) => s.kind === d.kind);
    const idx = ports.indexOf(port);
    const types = new Set<string>();
    for (const g of an.program.models) {
      for (const l of g.layers) {
        if (!l.isBlock || l.kind !== d.owner.name.name || l.plugin !== '') continue;
        const v = (d.kind === 'input' ? l.inputs : l.outputs)[idx];
        const t = v ? typeOfValue(g, v) : undefined;
        if (t) types.add(t);
      }
    }
    return [...types];
  }
  if (d.kind === 'value') {
    // The symbol table gives a destructuring's value to its first name only: each name's own
    // output comes from the statement itself.
    const parts = destructuredAt(d);
    if (parts) return exprTypes(an, parts.stmt.value, depth + 1, parts.part);
    return exprTypes(an, (node as A.AssignStmt).value, depth + 1);
  }
  return [];
}

function typeText(an: Analysis, t: A.TensorTypeAst): string {
  return an.text.slice(t.span.start, t.span.end);
}

// ───────────────────────────── hover ─────────────────────────────

export interface HoverResult {
  markdown: string;
  span: SourceSpan;
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

/** The core count (summary and diagram show the same): buffers and frozen weights are non-trainable. */
function paramText(g: Graph, l: LayerRecord): string {
  const c = countParamsUnder(g, l.path);
  return `${fmtInt(c.total)} params${c.nonTrainable > 0 ? ` (${fmtInt(c.trainable)} trainable)` : ''}`;
}

function describeRecords(an: Analysis, recs: { g: Graph; l: LayerRecord }[]): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const { g, l } of recs) {
    const out = l.outputs.map((o) => typeOfValue(g, o) ?? '?').join(', ');
    const line = `→ \`${out}\` · ${paramText(g, l)}`;
    const key = line;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(recs.length > 1 ? `${line} (${g.name}: ${l.path.join('/')})` : line);
  }
  return lines;
}

export function hover(an: Analysis, offset: number): HoverResult | undefined {
  const occ = occurrenceAt(an.symbols, an.file, offset);
  const word = wordAt(an.text, offset);
  const namedArgument = !!word && /^\s*:/.test(an.text.slice(word.end));
  // A block parameter named in a call is documented as the call's argument (below), like a layer's.
  if (occ && !(namedArgument && occ.decl.kind === 'param' && !occ.isDecl)) {
    const d = occ.decl;
    const md = describeDecl(an, d);
    if (md) return { markdown: md, span: occ.span };
  }
  // A named argument (`kernel:` in `conv2d(kernel: 3)`, `lr:` in `adam(lr: 1e-3)`): its spec.
  if (word && namedArgument) {
    const ctx = callContext(an, word.start);
    const spec = ctx ? argsOf(an, ctx.callee, ctx.trainKey).find((a) => a.name === word.word) : undefined;
    if (ctx && spec) {
      return { markdown: `(argument of ${ctx.callee}) **${spec.name}**: ${spec.detail}${spec.doc ? `\n\n${spec.doc}` : ''}`, span: spanOf(an, word.start, word.end) };
    }
  }
  // A layer call (or a block call, or an operator) under the cursor: the smallest record span around it.
  let best: { g: Graph; l: LayerRecord }[] = [];
  let bestLen = Infinity;
  for (const g of an.program.models) {
    for (const l of g.layers) {
      const s = l.span;
      if (!s || s.file !== an.file || s.start > offset || offset > s.end) continue;
      const len = s.end - s.start;
      if (len < bestLen) {
        best = [{ g, l }];
        bestLen = len;
      } else if (len === bestLen && sameSpan(best[0]!.l.span, s)) best.push({ g, l });
    }
  }
  if (best.length === 0) {
    // Not compiled (errors, a block never used) or a train block: document a layer or plugin name.
    if (!word) return undefined;
    const ctx = callContext(an, word.start);
    const kinds: PluginKindName[] = ctx?.trainKey && TRAIN_KEYS[ctx.trainKey] && TRAIN_KEYS[ctx.trainKey] !== 'model' ? [TRAIN_KEYS[ctx.trainKey] as PluginKindName] : [];
    for (const kind of [...kinds, ...ALL_KINDS]) {
      const def = an.registry.get(kind, word.word);
      if (def) return { markdown: `**${word.word}** — ${kind} (${def.plugin})\n\n${def.def.doc}`, span: spanOf(an, word.start, word.end) };
    }
    return undefined;
  }
  const l = best[0]!.l;
  const head = l.isBlock ? `**${l.kind}** (block)` : `**${l.kind}**${l.plugin ? ` — ${l.plugin}` : ''}`;
  const parts = [head, ...describeRecords(an, best)];
  const def = !l.isBlock ? an.registry.get('layer', l.kind) : undefined;
  if (def?.def.doc) parts.push('', def.def.doc);
  return { markdown: parts.join('\n\n'), span: l.span! };
}

type PluginKindName = 'layer' | 'dataset' | 'loss' | 'optimizer' | 'regularizer' | 'metric' | 'schedule';
const ALL_KINDS: PluginKindName[] = ['layer', 'dataset', 'loss', 'optimizer', 'regularizer', 'metric', 'schedule'];

/**
 * The call whose parentheses enclose `offset` (its callee name) and the train key of the entry,
 * from the tokens before `offset`.
 */
function callContext(an: Analysis, offset: number): { callee: string; trainKey: string | undefined; argIndex: number; argName?: string } | undefined {
  const tokens = lex(an.text.slice(0, offset), an.file).tokens;
  const open: number[] = [];
  let inTrain = false;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const img = tokens[i]!.image;
    if (depth === 0 && img === 'train') inTrain = true;
    else if (depth === 0 && ['model', 'block', 'let', 'import'].includes(img)) inTrain = false;
    if (img === '(' || img === '[' || img === '{') {
      open.push(i);
      depth++;
    } else if (img === ')' || img === ']' || img === '}') {
      open.pop();
      depth--;
    }
  }
  const top = open[open.length - 1];
  const trainKey = inTrain && tokens.length ? trainKeyOf(tokens, tokens.length - 1) : undefined;
  if (top === undefined || tokens[top]!.image !== '(' || top === 0) return trainKey ? { callee: '', trainKey, argIndex: 0 } : undefined;
  // Which argument the offset is in: commas at the call's own depth, and `name:` if it has one.
  let argIndex = 0;
  let argStart = top + 1;
  let d = 0;
  for (let i = top + 1; i < tokens.length; i++) {
    const img = tokens[i]!.image;
    if (img === '(' || img === '[' || img === '{') d++;
    else if (img === ')' || img === ']' || img === '}') d--;
    else if (img === ',' && d === 0) {
      argIndex++;
      argStart = i + 1;
    }
  }
  // The argument's name is before the cursor (`kernel: 3|`) or right after it (`|kernel: 3`).
  const after = argStart >= tokens.length ? /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(an.text.slice(offset))?.[1] : undefined;
  const named = tokens[argStart + 1]?.image === ':' ? tokens[argStart]!.image : after;
  return { callee: tokens[top - 1]!.image, trainKey: inTrain ? trainKeyOf(tokens, top) : undefined, argIndex, ...(named ? { argName: named } : {}) };
}

export interface SignatureResult {
  label: string;
  doc?: string;
  /** [start, end) of each parameter inside `label`, with its doc. */
  params: { range: [number, number]; doc?: string }[];
  active: number;
}

/** Signature help inside `callee(…)`: the layer, block or plugin's arguments, the current one active. */
export function signature(an: Analysis, offset: number): SignatureResult | undefined {
  const ctx = callContext(an, offset);
  if (!ctx || !ctx.callee) return undefined;
  const args = argsOf(an, ctx.callee, ctx.trainKey);
  const block = blockOf(an.symbols.moduleScope.get(ctx.callee));
  const def = block ? undefined : ALL_KINDS.map((k) => an.registry.get(k, ctx.callee)).find((r) => r);
  if (!block && !def) return undefined;
  let label = `${ctx.callee}(`;
  const params: SignatureResult['params'] = [];
  args.forEach((a, i) => {
    if (i > 0) label += ', ';
    const text = `${a.name}: ${a.detail.replace(/^block parameter: ?/, '') || 'any'}`;
    params.push({ range: [label.length, label.length + text.length], ...(a.doc ? { doc: a.doc } : {}) });
    label += text;
  });
  label += ')';
  const byName = ctx.argName ? args.findIndex((a) => a.name === ctx.argName) : -1;
  const out: SignatureResult = { label, params, active: byName >= 0 ? byName : Math.min(ctx.argIndex, Math.max(0, args.length - 1)) };
  const doc = def?.def.doc;
  if (doc) out.doc = doc;
  return out;
}

function describeDecl(an: Analysis, d: Decl): string | undefined {
  switch (d.kind) {
    case 'input':
    case 'output':
    case 'value': {
      const types = declTypes(an, d);
      const label = d.kind === 'value' ? 'value' : d.kind;
      const lines = [`(${label}) **${d.name}**${types.length === 1 ? `: \`${types[0]}\`` : ''}`];
      if (types.length > 1) for (const t of types) lines.push(`- \`${t}\``);
      if (types.length === 0) lines.push('type unknown (the model has errors or the block is never used)');
      // The layer that produces the value, with its parameter count.
      if (d.kind === 'value') {
        const v = destructuredAt(d)?.stmt.value ?? (d.node as A.AssignStmt).value;
        const last = v.kind === 'pipe' ? v.stages[v.stages.length - 1]! : v;
        const recs = recordsAt(an, last.span);
        if (recs.length) lines.push(`from **${recs[0]!.l.kind}** · ${paramText(recs[0]!.g, recs[0]!.l)}`);
      }
      return lines.join('\n\n');
    }
    case 'constant': {
      const loop = loopOf(d);
      if (loop) return `(loop variable) **${d.name}** in \`${sliceOf(an, { ...loop.iterable.span, end: (loop.rangeEnd ?? loop.iterable).span.end })}\``;
      const node = d.node as A.LetDecl;
      return `(constant) **${d.name}** = \`${sliceOf(an, node.value.span)}\``;
    }
    case 'param': {
      const p = d.node as A.BlockParam;
      return `(parameter) **${d.name}**${p.type ? `: ${p.type.name}` : ''}${p.default ? ` = \`${an.text.slice(p.default.span.start, p.default.span.end)}\`` : ''}`;
    }
    case 'index':
      return `(repeat index) **${d.name}**: int`;
    case 'block': {
      const b = d.node as A.BlockDecl;
      const sig = b.params.map((p) => `${p.name.name}${p.type ? `: ${p.type.name}` : ''}`).join(', ');
      const instances: { g: Graph; l: LayerRecord }[] = [];
      for (const g of an.program.models) for (const l of g.layers) if (l.isBlock && l.plugin === '' && l.kind === d.name) instances.push({ g, l });
      // One pass per model for all instances (a block repeated 2,000 times would otherwise filter
      // every parameter 2,000 times on each hover).
      const countsOf = new Map(an.program.models.map((g) => [g, paramCountsByPath(g)] as const));
      const counts = [...new Set(instances.map(({ g, l }) => countsOf.get(g)!(l.path).total))];
      const lines = [`(block) **${d.name}**(${sig})`];
      if (instances.length) lines.push(`${instances.length} instance${instances.length > 1 ? 's' : ''} · ${counts.map(fmtInt).join(' / ')} params each`);
      return lines.join('\n\n');
    }
    case 'model': {
      const g = an.program.models.find((m) => m.name === d.name);
      if (!g) return `(model) **${d.name}**`;
      const s = summarize(g);
      const io = (vs: { name: string; shape: string }[]) => vs.map((v) => `${v.name} ${v.shape}`).join(', ');
      return `(model) **${d.name}**\n\ninputs: ${io(s.inputs)}\n\noutputs: ${io(s.outputs)}\n\n${fmtInt(s.totalParams)} params (${fmtInt(s.trainableParams)} trainable)`;
    }
    default:
      return undefined;
  }
}

/** Source text of a span that may lie in an imported file. */
function sliceOf(an: Analysis, span: SourceSpan): string {
  if (span.file === an.file) return an.text.slice(span.start, span.end);
  return an.imports.get(span.file)?.text.slice(span.start, span.end) ?? '…';
}

export function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  let s = offset;
  let e = offset;
  while (s > 0 && /[A-Za-z0-9_]/.test(text[s - 1]!)) s--;
  while (e < text.length && /[A-Za-z0-9_]/.test(text[e]!)) e++;
  if (s === e || !/[A-Za-z_]/.test(text[s]!)) return undefined;
  return { word: text.slice(s, e), start: s, end: e };
}

function spanOf(an: Analysis, start: number, end: number): SourceSpan {
  return { file: an.file, start, end, line: 0, col: 0, endLine: 0, endCol: 0 };
}
