/**
 * Moving around a document: go to definition (a name's declaration, an import's file), rename
 * (every occurrence, refused when the new name is not an identifier or would clash) and the
 * outline of models, blocks, constants, train blocks and their values.
 */
import type { SourceSpan } from '@dlm/core';
import { flatStmts, importTarget, occurrenceAt, type SymbolDecl as Decl } from '@dlm/language';
import { declTypes, type Analysis } from './analysis.js';

// ───────────────────────────── definition & rename ─────────────────────────────

export function definition(an: Analysis, offset: number): SourceSpan | undefined {
  const occ = occurrenceAt(an.symbols, an.file, offset);
  if (occ) return occ.decl.span;
  // On an import path: the imported file.
  for (const item of an.ast.items) {
    if (item.kind === 'import' && item.span.start <= offset && offset <= item.span.end) {
      const target = importTarget(an.file, item.path);
      return { file: target, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
    }
  }
  return undefined;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['model', 'block', 'train', 'let', 'input', 'output', 'import', 'repeat', 'as', 'true', 'false', 'div', 'if', 'else', 'for', 'in', 'and', 'or', 'not']);

export type RenameResult = { edits: SourceSpan[] } | { error: string };

/** The spans to replace to rename what is under `offset` (the declaration and every reference). */
export function renameLocations(an: Analysis, offset: number): { decl: Decl; spans: SourceSpan[] } | undefined {
  const occ = occurrenceAt(an.symbols, an.file, offset);
  if (!occ) return undefined;
  const spans = an.symbols.occurrences.filter((o) => o.decl === occ.decl).map((o) => o.span);
  return { decl: occ.decl, spans };
}

const within = (inner: SourceSpan, outer: SourceSpan) => outer.start <= inner.start && inner.end <= outer.end;

/** Every occurrence of what is under `offset` in this file (with or without its declaration), in order. */
export function references(an: Analysis, offset: number, includeDeclaration: boolean): SourceSpan[] {
  const occ = occurrenceAt(an.symbols, an.file, offset);
  if (!occ) return [];
  return an.symbols.occurrences.filter((o) => o.decl === occ.decl && o.span.file === an.file && (includeDeclaration || !o.isDecl)).map((o) => o.span);
}

export interface Highlight {
  span: SourceSpan;
  /** `write` where the name is declared or (re)assigned, `read` where it is used. */
  kind: 'read' | 'write';
}

/** The occurrences to highlight for what is under `offset`: its declaration, assignments and uses. */
export function highlights(an: Analysis, offset: number): Highlight[] {
  const occ = occurrenceAt(an.symbols, an.file, offset);
  if (!occ) return [];
  const writes = new Set(definingSpans(an).map((s) => s.start));
  return an.symbols.occurrences
    .filter((o) => o.decl === occ.decl && o.span.file === an.file)
    .map((o) => ({ span: o.span, kind: o.isDecl || writes.has(o.span.start) ? ('write' as const) : ('read' as const) }));
}

/** The identifiers that statements of the file's bodies define or assign. */
function definingSpans(an: Analysis): SourceSpan[] {
  const out: SourceSpan[] = [];
  for (const item of an.ast.items) {
    if (item.kind === 'model' || item.kind === 'block') for (const st of flatStmts(item.body)) out.push(st.name.span);
  }
  return out;
}

export function rename(an: Analysis, offset: number, newName: string): RenameResult {
  if (!IDENT.test(newName) || KEYWORDS.has(newName)) return { error: `'${newName}' is not a valid name` };
  const loc = renameLocations(an, offset);
  if (!loc) return { error: 'nothing to rename here (only values, ports, blocks, models, constants and parameters)' };
  if (loc.decl.span.file !== an.file) return { error: `'${loc.decl.name}' is declared in ${loc.decl.span.file}; rename it there` };
  // Refuse a rename that would capture or clash with another name in the same scope: a module
  // name, or a name of the same body whose scope holds this one's or lies in it (names confined to
  // two sibling loops never meet).
  const nested = (a: Decl, b: Decl) => !a.loop || !b.loop || within(a.loop, b.loop) || within(b.loop, a.loop);
  const clash = an.symbols.decls.find(
    (d) => d.name === newName && d !== loc.decl && (!d.owner || !loc.decl.owner || (d.owner === loc.decl.owner && nested(d, loc.decl))),
  );
  if (clash) return { error: `'${newName}' is already declared (line ${clash.span.line})` };
  return { edits: loc.spans };
}

// ───────────────────────────── document symbols ─────────────────────────────

export interface OutlineItem {
  name: string;
  detail?: string;
  kind: 'model' | 'block' | 'constant' | 'train' | 'import' | 'input' | 'output' | 'value';
  span: SourceSpan;
  selection: SourceSpan;
  children: OutlineItem[];
}

export function outline(an: Analysis): OutlineItem[] {
  const out: OutlineItem[] = [];
  for (const item of an.ast.items) {
    if (item.kind === 'import') out.push({ name: item.path, kind: 'import', span: item.span, selection: item.span, children: [] });
    else if (item.kind === 'let') out.push({ name: item.name.name, kind: 'constant', span: item.span, selection: item.name.span, children: [] });
    else if (item.kind === 'train') out.push({ name: `train ${item.name.name}`, kind: 'train', span: item.span, selection: item.name.span, children: [] });
    else {
      const children: OutlineItem[] = [];
      for (const st of flatStmts(item.body)) {
        const kind = st.kind === 'assign' ? 'value' : st.kind === 'let' ? 'constant' : st.kind;
        if (children.some((c) => c.name === st.name.name)) continue;
        const d = an.symbols.decls.find((x) => x.span === st.name.span);
        const types = d ? declTypes(an, d) : [];
        const child: OutlineItem = { name: st.name.name, kind, span: st.span, selection: st.name.span, children: [] };
        if (types.length === 1) child.detail = types[0]!;
        children.push(child);
      }
      const o: OutlineItem = { name: item.name.name, kind: item.kind, span: item.span, selection: item.name.span, children };
      if (item.kind === 'block') o.detail = `(${item.params.map((p) => p.name.name).join(', ')})`;
      out.push(o);
    }
  }
  return out;
}
