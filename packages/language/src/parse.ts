/**
 * Phase 2, parsing: tokens → CST (Chevrotain, with error recovery) → AST with spans. Syntax
 * errors are diagnostics (DLM1002) worded by the grammar's message provider. Bracket nesting is
 * checked on the token stream first, so pathological input ("((((…" ten thousand deep) yields
 * DLM1005 instead of a stack overflow in the recursive-descent parser.
 */
import { EOF, type CstElement, type CstNode, type IToken } from 'chevrotain';
import { DiagnosticBag, LineMap, type Diagnostic, type SourceSpan } from '@dlm/core';
import type * as A from './ast.js';
import { parser, setCurrentTokens } from './grammar.js';
import { lex, type Comment } from './lexer.js';
import * as T from './lexer.js';
import { readReservedAsNames } from './reserved.js';

/** Deepest bracket nesting accepted. Real models use < 10; the limit keeps every phase's recursion bounded. */
export const MAX_NESTING = 64;


export function parse(text: string, file: string): { ast: A.ModuleAst; diagnostics: Diagnostic[] } {
  const lines = new LineMap(file, text);
  const bag = new DiagnosticBag();
  const lexed = lex(text, file, lines);
  bag.addAll(lexed.diagnostics);
  lexed.tokens = readReservedAsNames(lexed.tokens, lines, bag);
  const empty: A.ModuleAst = { kind: 'module', file, items: [], comments: lexed.comments, span: lines.span(0, text.length) };

  const deep = findTooDeep(lexed.tokens);
  if (deep) {
    bag.report('DLM1005', [MAX_NESTING], lines.span(deep.startOffset, deep.startOffset + deep.image.length));
    return { ast: empty, diagnostics: bag.items };
  }

  setCurrentTokens(lexed.tokens);
  parser.input = lexed.tokens;
  const cst = parser.module();
  setCurrentTokens([]);
  // Recovery can report several errors for one mistake; the first per line is the useful one.
  const seen = new Set<number>();
  for (const e of parser.errors) {
    const tok = e.token;
    let start: number;
    let end: number;
    if (tok.tokenType === EOF || Number.isNaN(tok.startOffset)) {
      // At end of file: point just after the last real token.
      const last = lexed.tokens[lexed.tokens.length - 1];
      start = last ? last.startOffset + last.image.length : text.length;
      end = start;
      if (start >= text.length && start > 0) start = end = text.length;
    } else {
      start = tok.startOffset;
      end = tok.startOffset + tok.image.length;
    }
    const line = lines.position(start).line;
    if (seen.has(line)) continue;
    // Right after characters the lexer dropped (and reported), the parser's complaint is a
    // consequence of that one mistake, not a second one.
    const prevEnd = previousTokenEnd(lexed.tokens, start);
    if (lexed.diagnostics.some((d) => d.span && d.span.start >= prevEnd && d.span.start <= start)) continue;
    seen.add(line);
    bag.report('DLM1002', [e.message], lines.span(start, end));
  }
  let ast = empty;
  try {
    const builder = new AstBuilder(lines, lexed.comments);
    ast = builder.module(cst);
    for (const p of builder.problems) if (!seen.has(p.span.line)) bag.report('DLM1002', [p.message], p.span);
  } catch (e) {
    // A CST left incomplete by error recovery may not convert; the syntax errors already explain it.
    if (parser.errors.length === 0) throw e;
  }
  return { ast, diagnostics: bag.items };
}

/** End offset of the last token that starts before `offset` (0 when none). */
function previousTokenEnd(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? 0 : tokens[found]!.startOffset + tokens[found]!.image.length;
}

function findTooDeep(tokens: IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    const tt = t.tokenType;
    if (tt === T.LParen || tt === T.LBracket || tt === T.LCurly) {
      depth++;
      if (depth > MAX_NESTING) return t;
    } else if (tt === T.RParen || tt === T.RBracket || tt === T.RCurly) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

// ───────────────────────────── CST → AST ─────────────────────────────

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement | undefined): e is IToken {
  return e !== undefined && 'image' in e;
}

class AstBuilder {
  /** Syntax problems the grammar accepts on purpose so that it can word them precisely. */
  readonly problems: { message: string; span: SourceSpan }[] = [];

  constructor(
    private readonly lines: LineMap,
    private readonly comments: Comment[],
  ) {}

  private spanOf(node: CstNode | IToken): SourceSpan {
    if (isToken(node)) return this.lines.span(node.startOffset, node.startOffset + node.image.length);
    const loc = node.location;
    const s = loc?.startOffset ?? NaN;
    const e = loc?.endOffset ?? NaN;
    if (Number.isNaN(s)) return this.lines.span(0, 0);
    return this.lines.span(s, Number.isNaN(e) ? s : e + 1);
  }

  private between(a: SourceSpan, b: SourceSpan): SourceSpan {
    return this.lines.span(a.start, Math.max(a.end, b.end));
  }

  private tokens(c: Children, name: string): IToken[] {
    return (c[name] ?? []).filter(isToken).filter((t) => !t.isInsertedInRecovery);
  }

  private nodes(c: Children, name: string): CstNode[] {
    return (c[name] ?? []).filter((x): x is CstNode => !isToken(x));
  }

  private ident(t: IToken | undefined, fallback: SourceSpan): A.Ident {
    if (!t) return { name: '', span: fallback };
    return { name: t.image, span: this.spanOf(t) };
  }

  module(cst: CstNode): A.ModuleAst {
    const c = cst.children as Children;
    const items: A.Item[] = [];
    for (const [key, fn] of [
      ['importDecl', (n: CstNode) => this.importDecl(n)],
      ['letDecl', (n: CstNode) => this.letDecl(n)],
      ['modelDecl', (n: CstNode) => this.modelDecl(n)],
      ['blockDecl', (n: CstNode) => this.blockDecl(n)],
      ['trainDecl', (n: CstNode) => this.trainDecl(n)],
    ] as const) {
      for (const n of this.nodes(c, key)) items.push(fn(n));
    }
    items.sort((a, b) => a.span.start - b.span.start);
    return { kind: 'module', file: this.lines.file, items, comments: this.comments, span: this.lines.span(0, this.lines.text.length) };
  }

  private importDecl(n: CstNode): A.ImportDecl {
    const c = n.children as Children;
    const s = this.tokens(c, 'StringLit')[0];
    const raw = s?.image ?? '""';
    return { kind: 'import', path: unquote(raw), raw, span: this.spanOf(n) };
  }

  private letDecl(n: CstNode): A.LetDecl {
    const c = n.children as Children;
    const span = this.spanOf(n);
    return { kind: 'let', name: this.ident(this.tokens(c, 'Identifier')[0], span), value: this.exprOrError(this.nodes(c, 'expression')[0], span), span };
  }

  private modelDecl(n: CstNode): A.ModelDecl {
    const c = n.children as Children;
    const span = this.spanOf(n);
    return { kind: 'model', name: this.ident(this.tokens(c, 'Identifier')[0], span), body: this.nodes(c, 'statement').map((s) => this.statement(s)), span };
  }

  private blockDecl(n: CstNode): A.BlockDecl {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const params = this.nodes(c, 'blockParam').map((p): A.BlockParam => {
      const pc = p.children as Children;
      const pspan = this.spanOf(p);
      const type = this.tokens(pc, 'type')[0];
      const def = this.nodes(pc, 'expression')[0];
      return {
        name: this.ident(this.tokens(pc, 'Identifier')[0], pspan),
        ...(type ? { type: this.ident(type, pspan) } : {}),
        ...(def ? { default: this.expr(def) } : {}),
        span: pspan,
      };
    });
    return { kind: 'block', name: this.ident(this.tokens(c, 'Identifier')[0], span), params, body: this.nodes(c, 'statement').map((s) => this.statement(s)), span };
  }

  private trainDecl(n: CstNode): A.TrainDecl {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const entries = this.nodes(c, 'trainEntry').map((e): A.TrainEntry => {
      const ec = e.children as Children;
      const espan = this.spanOf(e);
      return { key: this.ident(this.tokens(ec, 'Identifier')[0], espan), values: this.nodes(ec, 'expression').map((x) => this.expr(x)), span: espan };
    });
    return { kind: 'train', name: this.ident(this.tokens(c, 'Identifier')[0], span), entries, span };
  }

  private statement(n: CstNode): A.Stmt {
    const c = n.children as Children;
    const port = this.nodes(c, 'portStmt')[0];
    if (port) {
      const pc = port.children as Children;
      const span = this.spanOf(port);
      const kind = this.tokens(pc, 'Input').length > 0 ? 'input' : 'output';
      const tt = this.nodes(pc, 'tensorType')[0];
      const name = this.ident(this.tokens(pc, 'Identifier')[0], span);
      const value = this.nodes(pc, 'expression')[0];
      if (tt && this.tokens(pc, 'Colon').length === 0) {
        const t = this.tensorType(tt);
        this.problems.push({ message: `Expected ':' between '${name.name}' and its type ${t.dtype.name}[…].`, span: t.dtype.span });
      }
      if (value && kind === 'input') {
        this.problems.push({ message: `An input cannot be given a value: inputs get theirs from the caller.`, span: this.spanOf((pc['Equals'] ?? [])[0] as IToken) });
      }
      return { kind, name, ...(tt ? { type: this.tensorType(tt) } : {}), ...(value ? { value: this.expr(value) } : {}), span };
    }
    const let_ = this.nodes(c, 'letDecl')[0];
    if (let_) return this.letDecl(let_);
    const if_ = this.nodes(c, 'ifStmt')[0];
    if (if_) return this.ifStmt(if_);
    const for_ = this.nodes(c, 'forStmt')[0];
    if (for_) return this.forStmt(for_);
    const asg = this.nodes(c, 'assignStmt')[0];
    const span = this.spanOf(asg ?? n);
    const ac = (asg?.children ?? {}) as Children;
    const value = this.exprOrError(this.nodes(ac, 'expression')[0], span);
    const ids = this.tokens(ac, 'Identifier').map((t) => this.ident(t, span));
    if (ids.length > 1) return { kind: 'destructure', names: ids, value, span };
    return { kind: 'assign', name: ids[0] ?? this.ident(undefined, span), value, span };
  }

  /** Statements between braces; ports are declared at the top of a body only. */
  private stmtBlock(n: CstNode | undefined): { stmts: A.Stmt[]; end: number } {
    if (!n) return { stmts: [], end: 0 };
    const c = n.children as Children;
    const stmts = this.nodes(c, 'statement').map((s) => this.statement(s));
    for (const s of stmts) {
      if (s.kind === 'input' || s.kind === 'output') {
        this.problems.push({ message: `'${s.kind}' is declared at the top of a model or block, not inside 'if' or 'for'.`, span: s.span });
      }
    }
    const span = this.spanOf(n);
    return { stmts, end: span.end };
  }

  private ifStmt(n: CstNode): A.IfStmt {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const blocks = this.nodes(c, 'stmtBlock');
    const then = this.stmtBlock(blocks[0]);
    const out: A.IfStmt = { kind: 'if', cond: this.orExpr(this.nodes(c, 'orExpr')[0], span), then: then.stmts, thenEnd: then.end, span };
    const elseIf = this.nodes(c, 'ifStmt')[0];
    if (elseIf) {
      const inner = this.ifStmt(elseIf);
      out.else = [inner];
      out.elseIf = true;
      out.elseEnd = inner.span.end;
    } else if (blocks[1]) {
      const b = this.stmtBlock(blocks[1]);
      out.else = b.stmts;
      out.elseEnd = b.end;
    }
    return out;
  }

  private forStmt(n: CstNode): A.ForStmt {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const parts = this.nodes(c, 'additive');
    const body = this.stmtBlock(this.nodes(c, 'stmtBlock')[0]);
    return {
      kind: 'for',
      variable: this.ident(this.tokens(c, 'Identifier')[0], span),
      iterable: this.additive(parts[0], span),
      ...(parts[1] ? { rangeEnd: this.additive(parts[1], span) } : {}),
      body: body.stmts,
      bodyEnd: body.end,
      span,
    };
  }

  private tensorType(n: CstNode): A.TensorTypeAst {
    const c = n.children as Children;
    const span = this.spanOf(n);
    return { dtype: this.ident(this.tokens(c, 'Identifier')[0], span), dims: this.nodes(c, 'expression').map((e) => this.expr(e)), span };
  }

  private exprOrError(n: CstNode | undefined, fallback: SourceSpan): A.Expr {
    return n ? this.expr(n) : { kind: 'error', span: fallback };
  }

  expr(n: CstNode): A.Expr {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const head = this.orExpr(this.nodes(c, 'orExpr')[0], span);
    const stages = this.nodes(c, 'stage').map((s) => this.stage(s));
    if (stages.length === 0) return head;
    return { kind: 'pipe', head, stages, span };
  }

  private stage(n: CstNode): A.Expr {
    const c = n.children as Children;
    const rep = this.nodes(c, 'repeatExpr')[0];
    if (rep) {
      const rc = rep.children as Children;
      const span = this.spanOf(rep);
      const countNode = this.nodes(rc, 'repeatCount')[0];
      let count: A.Expr = { kind: 'error', span };
      if (countNode) {
        const cc = countNode.children as Children;
        const num = this.tokens(cc, 'NumberLit')[0];
        const id = this.tokens(cc, 'Identifier')[0];
        const paren = this.nodes(cc, 'parenOrTuple')[0];
        if (num) count = this.number(num);
        else if (id) count = { kind: 'name', name: id.image, span: this.spanOf(id) };
        else if (paren) count = this.parenOrTuple(paren);
      }
      const index = this.tokens(rc, 'Identifier')[0];
      return {
        kind: 'repeat',
        count,
        ...(index ? { index: this.ident(index, span) } : {}),
        stages: this.nodes(rc, 'stage').map((s) => this.stage(s)),
        span,
      };
    }
    return this.additive(this.nodes(c, 'additive')[0], this.spanOf(n));
  }

  private orExpr(n: CstNode | undefined, fallback: SourceSpan): A.Expr {
    if (!n) return { kind: 'error', span: fallback };
    const c = n.children as Children;
    const operands = this.nodes(c, 'andExpr').map((m) => this.andExpr(m));
    return this.logic('or', operands, n);
  }

  private andExpr(n: CstNode): A.Expr {
    const c = n.children as Children;
    const operands = this.nodes(c, 'notExpr').map((m) => this.notExpr(m));
    return this.logic('and', operands, n);
  }

  private logic(op: 'and' | 'or', operands: A.Expr[], n: CstNode): A.Expr {
    const span = this.spanOf(n);
    if (operands.length === 0) return { kind: 'error', span };
    if (operands.length === 1) return operands[0]!;
    return { kind: 'logic', op, operands, span };
  }

  private notExpr(n: CstNode): A.Expr {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const operand = this.comparison(this.nodes(c, 'comparison')[0], span);
    const count = this.tokens(c, 'Not').length;
    return count === 0 ? operand : { kind: 'not', count, operand, span };
  }

  private comparison(n: CstNode | undefined, fallback: SourceSpan): A.Expr {
    if (!n) return { kind: 'error', span: fallback };
    const c = n.children as Children;
    const span = this.spanOf(n);
    const sides = this.nodes(c, 'additive');
    const left = this.additive(sides[0], span);
    if (sides.length < 2) return left;
    const opTok = ['EqEq', 'NotEq', 'LessEq', 'GreaterEq', 'Less', 'Greater'].flatMap((k) => this.tokens(c, k))[0];
    if (!opTok) return left;
    return { kind: 'compare', op: opTok.image as A.CompareOp, left, right: this.additive(sides[1], span), span };
  }

  private additive(n: CstNode | undefined, fallback: SourceSpan): A.Expr {
    if (!n) return { kind: 'error', span: fallback };
    const c = n.children as Children;
    const operands = this.nodes(c, 'multiplicative').map((m) => this.multiplicative(m));
    const ops = [...this.tokens(c, 'Plus'), ...this.tokens(c, 'Minus')].sort((a, b) => a.startOffset - b.startOffset).map((t) => t.image as A.BinaryOp);
    return this.chain(operands, ops, n);
  }

  private multiplicative(n: CstNode): A.Expr {
    const c = n.children as Children;
    const operands = this.nodes(c, 'unary').map((m) => this.unary(m));
    const ops = [...this.tokens(c, 'Star'), ...this.tokens(c, 'Slash'), ...this.tokens(c, 'Div'), ...this.tokens(c, 'Percent'), ...this.tokens(c, 'At')]
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((t) => t.image as A.BinaryOp);
    return this.chain(operands, ops, n);
  }

  private chain(operands: A.Expr[], ops: A.BinaryOp[], n: CstNode): A.Expr {
    const span = this.spanOf(n);
    if (operands.length === 0) return { kind: 'error', span };
    if (operands.length === 1) return operands[0]!;
    // Recovery may leave operators without operands; keep the chain consistent.
    while (ops.length >= operands.length) ops.pop();
    while (operands.length > ops.length + 1) operands.pop();
    return { kind: 'binary', operands, ops, span };
  }

  private unary(n: CstNode): A.Expr {
    const c = n.children as Children;
    const span = this.spanOf(n);
    let operand = this.primary(this.nodes(c, 'primary')[0], span);
    for (const ix of this.nodes(c, 'indexSuffix')) {
      const ixSpan = this.spanOf(ix);
      const items = this.nodes(ix.children as Children, 'sliceItem').map((it) => this.sliceItem(it));
      operand = { kind: 'index', target: operand, items, span: this.lines.span(operand.span.start, ixSpan.end) };
    }
    const count = this.tokens(c, 'Minus').length;
    if (count === 0) return operand;
    return { kind: 'neg', count, operand, span };
  }

  private sliceItem(n: CstNode): A.SliceItem {
    const c = n.children as Children;
    const span = this.spanOf(n);
    if (this.tokens(c, 'Ellipsis').length) return { kind: 'ellipsis', span };
    const part = (label: string): A.Expr | undefined => {
      const x = this.nodes(c, label)[0];
      return x ? this.additive(x, span) : undefined;
    };
    const start = part('start');
    if (this.tokens(c, 'colon1').length === 0) {
      if (start) return { kind: 'at', index: start, span };
      this.problems.push({ message: 'Expected an index or a slice between the brackets, such as x[0] or x[:, 1:].', span });
      return { kind: 'slice', span };
    }
    const stop = part('stop');
    const step = part('step');
    return { kind: 'slice', ...(start ? { start } : {}), ...(stop ? { stop } : {}), ...(step ? { step } : {}), span };
  }

  private number(t: IToken): A.Expr {
    return { kind: 'number', value: Number(t.image), raw: t.image, span: this.spanOf(t) };
  }

  private primary(n: CstNode | undefined, fallback: SourceSpan): A.Expr {
    if (!n) return { kind: 'error', span: fallback };
    const c = n.children as Children;
    const span = this.spanOf(n);
    const num = this.tokens(c, 'NumberLit')[0];
    if (num) return this.number(num);
    const str = this.tokens(c, 'StringLit')[0];
    if (str) return { kind: 'string', value: unquote(str.image), raw: str.image, span };
    if (this.tokens(c, 'True').length) return { kind: 'bool', value: true, span };
    if (this.tokens(c, 'False').length) return { kind: 'bool', value: false, span };
    const call = this.nodes(c, 'callOrName')[0];
    if (call) return this.callOrName(call);
    const paren = this.nodes(c, 'parenOrTuple')[0];
    if (paren) return this.parenOrTuple(paren);
    const list = this.nodes(c, 'list')[0];
    if (list) {
      const lc = list.children as Children;
      return { kind: 'list', items: this.nodes(lc, 'expression').map((e) => this.expr(e)), span: this.spanOf(list) };
    }
    return { kind: 'error', span };
  }

  private parenOrTuple(n: CstNode): A.Expr {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const items = this.nodes(c, 'expression').map((e) => this.expr(e));
    if (items.length === 1) return { kind: 'paren', expr: items[0]!, span };
    if (items.length === 0) return { kind: 'error', span };
    return { kind: 'tuple', items, span };
  }

  private callOrName(n: CstNode): A.Expr {
    const c = n.children as Children;
    const span = this.spanOf(n);
    const id = this.tokens(c, 'Identifier')[0];
    if (!id) return { kind: 'error', span };
    if (!(c['LParen'] ?? []).length) return { kind: 'name', name: id.image, span: this.spanOf(id) };
    const args = this.nodes(c, 'arg').map((a): A.Arg => {
      const ac = a.children as Children;
      const aspan = this.spanOf(a);
      const name = this.tokens(ac, 'Identifier')[0];
      return { ...(name ? { name: this.ident(name, aspan) } : {}), value: this.orExpr(this.nodes(ac, 'orExpr')[0], aspan), span: aspan };
    });
    const call: A.CallExpr = { kind: 'call', callee: this.ident(id, span), args, span };
    const settings = this.nodes(c, 'settings')[0];
    if (settings) {
      const sc = settings.children as Children;
      call.settingsSpan = this.spanOf(settings);
      call.settings = this.nodes(sc, 'settingGroup').map((g): A.SettingGroup => {
        const gc = g.children as Children;
        const gspan = this.spanOf(g);
        return {
          param: this.ident(this.tokens(gc, 'param')[0], gspan),
          items: this.nodes(gc, 'settingItem').map((it) => {
            const ic = it.children as Children;
            const ispan = this.spanOf(it);
            return { key: this.ident(this.tokens(ic, 'Identifier')[0], ispan), value: this.exprOrError(this.nodes(ic, 'expression')[0], ispan), span: ispan };
          }),
          span: gspan,
        };
      });
      // The call's span covers the name and arguments only; settings are reported on their own spans.
      const rp = this.tokens(c, 'RParen')[0];
      if (rp) call.span = this.lines.span(span.start, rp.startOffset + 1);
    }
    return call;
  }
}

function unquote(raw: string): string {
  if (raw.length < 2) return '';
  return raw.slice(1, -1).replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
}
