/**
 * The formatter: prints a file's canonical layout from its AST. Comments are preserved (kept
 * before, after or between the statements and pipeline stages they were near; a comment inside
 * an expression that has no line of its own moves after the statement). Idempotent:
 * format(format(x)) === format(x), which the tests check on every example and on fuzzed input.
 *
 * Layout rules: two-space indent; one blank line between top-level declarations (imports and
 * lets keep their grouping); blank lines inside bodies are kept (at most one); a pipeline stays on
 * one line when it has at most three stages, no comments between stages and fits in 100 columns,
 * otherwise each `|> stage` goes on its own line, indented under the statement.
 */
import type { Diagnostic } from '@dlm/core';
import type * as A from './ast.js';
import type { Comment } from './lexer.js';
import { parse } from './parse.js';

const INDENT = '  ';
const MAX_WIDTH = 100;
const MAX_INLINE_STAGES = 3;

export function format(text: string, file: string): { result: string | undefined; diagnostics: Diagnostic[] } {
  const { ast, diagnostics } = parse(text, file);
  if (diagnostics.some((d) => d.severity === 'error')) return { result: undefined, diagnostics };
  return { result: new Printer(text, ast.comments).module(ast), diagnostics };
}

class Printer {
  private readonly out: string[] = [];
  private ci = 0;

  constructor(
    private readonly text: string,
    private readonly comments: Comment[],
  ) {}

  module(m: A.ModuleAst): string {
    let prev: A.Item | undefined;
    for (const item of m.items) {
      if (prev) {
        const grouped = (prev.kind === 'import' || prev.kind === 'let') && prev.kind === item.kind;
        if (!grouped || this.blankBetween(prev.span.end, item.span.start)) this.out.push('');
      }
      this.leading(item.span.start, '', prev !== undefined);
      this.item(item);
      prev = item;
    }
    this.flushRest('');
    while (this.out.length && this.out[this.out.length - 1] === '') this.out.pop();
    return this.out.length ? this.out.join('\n') + '\n' : '';
  }

  // ───────── comments ─────────

  private get pending(): Comment | undefined {
    return this.comments[this.ci];
  }

  /** Comments before `offset`, each on its own line; a blank line between a comment group and code is kept. */
  private leading(offset: number, indent: string, afterSomething: boolean): void {
    let first = true;
    while (this.pending && this.pending.start < offset) {
      const c = this.pending;
      if (!first && this.blankBetween(this.comments[this.ci - 1]!.end, c.start)) this.out.push('');
      else if (first && afterSomething && this.out.length && this.out[this.out.length - 1] !== '' && this.blankBeforeComment(c.start)) this.out.push('');
      this.pushComment(c, indent);
      this.ci++;
      first = false;
      if (!this.pending || this.pending.start >= offset) {
        if (this.blankBetween(c.end, offset)) this.out.push('');
      }
    }
  }

  private blankBeforeComment(start: number): boolean {
    // Looks back from the comment over whitespace for an empty line.
    let i = start - 1;
    let newlines = 0;
    while (i >= 0 && /\s/.test(this.text[i]!)) {
      if (this.text[i] === '\n') newlines++;
      i--;
    }
    return newlines >= 2;
  }

  private pushComment(c: Comment, indent: string): void {
    if (!c.block) {
      this.out.push(indent + c.text.trimEnd());
      return;
    }
    const lines = c.text.split(/\r?\n/);
    this.out.push(indent + lines[0]!.trimEnd());
    for (const l of lines.slice(1)) this.out.push(l.trimEnd());
  }

  /** A comment on the same source line right after `end` goes at the end of the last printed line. */
  private trailing(end: number): number {
    const c = this.pending;
    if (!c || c.start < end) return end;
    const between = this.text.slice(end, c.start);
    if (/\n/.test(between) || c.text.includes('\n')) return end;
    this.out[this.out.length - 1] += ' ' + c.text.trimEnd();
    this.ci++;
    return c.end;
  }

  /** Comments left inside a construct (before `end`) that found no better place. */
  private inner(end: number, indent: string): void {
    while (this.pending && this.pending.start < end) {
      this.pushComment(this.pending, indent);
      this.ci++;
    }
  }

  private flushRest(indent: string): void {
    let prevEnd: number | undefined;
    while (this.pending) {
      const c = this.pending;
      if (prevEnd !== undefined && this.blankBetween(prevEnd, c.start)) this.out.push('');
      else if (prevEnd === undefined && this.out.length && this.blankBeforeComment(c.start)) this.out.push('');
      this.pushComment(c, indent);
      prevEnd = c.end;
      this.ci++;
    }
  }

  private blankBetween(a: number, b: number): boolean {
    if (b <= a) return false;
    return /\n[ \t\r]*\n/.test(this.text.slice(a, b));
  }

  // ───────── declarations ─────────

  private item(item: A.Item): void {
    switch (item.kind) {
      case 'import':
        this.out.push(`import ${item.raw}`);
        this.trailing(item.span.end);
        return;
      case 'let':
        this.letLike(`let ${item.name.name} = `, item.value, item.span, '');
        return;
      case 'model':
        this.out.push(`model ${item.name.name} {`);
        this.trailing(item.name.span.end);
        this.body(item.body, item.span.end);
        this.out.push('}');
        this.trailing(item.span.end);
        return;
      case 'block': {
        const params = item.params
          .map((p) => `${p.name.name}${p.type ? `: ${p.type.name}` : ''}${p.default ? ` = ${this.expr(p.default)}` : ''}`)
          .join(', ');
        this.out.push(`block ${item.name.name}(${params}) {`);
        this.body(item.body, item.span.end);
        this.out.push('}');
        this.trailing(item.span.end);
        return;
      }
      case 'train': {
        this.out.push(`train ${item.name.name} {`);
        let prevEnd: number | undefined;
        for (const e of item.entries) {
          if (prevEnd !== undefined && this.blankBetween(prevEnd, this.nextStart(e.span.start))) this.out.push('');
          this.leading(e.span.start, INDENT, false);
          this.inner(e.span.end, INDENT);
          this.out.push(`${INDENT}${e.key.name} ${e.values.map((v) => this.expr(v)).join(', ')}`);
          prevEnd = this.trailing(e.span.end);
        }
        this.inner(item.span.end - 1, INDENT);
        this.out.push('}');
        this.trailing(item.span.end);
        return;
      }
    }
  }

  private nextStart(start: number): number {
    const c = this.pending;
    return c && c.start < start ? c.start : start;
  }

  private body(stmts: A.Stmt[], end: number, outer = ''): void {
    const INDENT = outer + '  ';
    let prevEnd: number | undefined;
    for (const s of stmts) {
      if (prevEnd !== undefined && this.blankBetween(prevEnd, this.nextStart(s.span.start))) this.out.push('');
      this.leading(s.span.start, INDENT, false);
      switch (s.kind) {
        case 'destructure':
          prevEnd = this.letLike(`${s.names.map((n) => n.name).join(', ')} = `, s.value, s.span, INDENT);
          break;
        case 'if':
          prevEnd = this.ifStmt(s, INDENT, '');
          break;
        case 'for': {
          const range = s.rangeEnd ? `..${this.expr(s.rangeEnd)}` : '';
          this.out.push(`${INDENT}for ${s.variable.name} in ${this.expr(s.iterable)}${range} {`);
          this.body(s.body, s.bodyEnd, INDENT);
          this.out.push(`${INDENT}}`);
          prevEnd = this.trailing(s.span.end);
          break;
        }
        case 'input':
        case 'output': {
          const decl = `${s.kind} ${s.name.name}${s.type ? `: ${this.tensorType(s.type)}` : ''}`;
          if (s.value) prevEnd = this.letLike(`${decl} = `, s.value, s.span, INDENT);
          else {
            this.inner(s.span.end, INDENT);
            this.out.push(`${INDENT}${decl}`);
            prevEnd = this.trailing(s.span.end);
          }
          break;
        }
        case 'let':
          prevEnd = this.letLike(`let ${s.name.name} = `, s.value, s.span, INDENT);
          break;
        case 'assign':
          prevEnd = this.letLike(`${s.name.name} = `, s.value, s.span, INDENT);
          break;
      }
    }
    if (prevEnd !== undefined && this.pending && this.pending.start < end && this.blankBetween(prevEnd, this.pending.start)) this.out.push('');
    this.inner(end - 1, INDENT);
  }

  /** `if … { … } else if … { … } else { … }`; returns the end offset consumed. */
  private ifStmt(s: A.IfStmt, indent: string, prefix: string): number {
    this.out.push(`${indent}${prefix}if ${this.expr(s.cond)} {`);
    this.body(s.then, s.thenEnd, indent);
    const elseIf = s.elseIf && s.else?.[0]?.kind === 'if' ? s.else[0] : undefined;
    if (elseIf) {
      return this.ifStmt(elseIf, indent, '} else ');
    }
    if (s.else) {
      this.out.push(`${indent}} else {`);
      this.body(s.else, s.elseEnd ?? s.span.end, indent);
    }
    this.out.push(`${indent}}`);
    return this.trailing(s.span.end);
  }

  /** `name = expr` with a possibly multi-line pipeline; returns the end offset consumed. */
  private letLike(prefix: string, value: A.Expr, span: A.Stmt['span'], indent: string): number {
    if (value.kind === 'pipe') this.pipeStatement(indent + prefix, value, indent, span.end);
    else {
      this.inner(span.end, indent);
      this.out.push(indent + prefix + this.expr(value));
    }
    return this.trailing(span.end);
  }

  private tensorType(t: A.TensorTypeAst): string {
    return `${t.dtype.name}[${t.dims.map((d) => this.expr(d)).join(', ')}]`;
  }

  // ───────── pipelines ─────────

  private hasCommentBefore(offset: number): boolean {
    return this.pending !== undefined && this.pending.start < offset;
  }

  /**
   * Comments inside a multi-line pipeline go on their own lines before the stage that contains or
   * follows them; a pipeline with comments inside is always multi-line, so re-formatting finds
   * them in the same place (idempotence).
   */
  private pipeStatement(prefix: string, p: A.PipeExpr, indent: string, end: number): void {
    const last = p.stages[p.stages.length - 1]!;
    const inline = prefix + this.expr(p);
    const multi = p.stages.length > MAX_INLINE_STAGES || inline.length > MAX_WIDTH || this.hasCommentBefore(last.span.end);
    if (!multi) {
      this.inner(end, indent);
      this.out.push(inline);
      return;
    }
    this.out.push(prefix + this.expr(p.head));
    const stageIndent = indent + INDENT;
    for (const st of p.stages) {
      this.trailingBefore(st.span.start);
      this.leading(st.span.end, stageIndent, false);
      this.stageLines(st, stageIndent);
    }
  }

  /** A comment on the same line after the previous stage stays there. */
  private trailingBefore(next: number): void {
    const c = this.pending;
    if (!c || c.start >= next) return;
    const prevLine = this.out[this.out.length - 1] ?? '';
    const between = this.text.slice(0, c.start);
    const lineStart = between.lastIndexOf('\n');
    const onOwnLine = /^\s*$/.test(this.text.slice(lineStart + 1, c.start));
    if (!onOwnLine && !c.text.includes('\n') && !prevLine.trimStart().startsWith('//')) {
      this.out[this.out.length - 1] = prevLine + ' ' + c.text.trimEnd();
      this.ci++;
    }
  }

  private stageLines(st: A.Expr, indent: string): void {
    if (st.kind === 'repeat' && st.stages.length > MAX_INLINE_STAGES) {
      this.out.push(`${indent}|> ${this.repeatHead(st)} {`);
      st.stages.forEach((s, i) => {
        this.leading(s.span.end, indent + INDENT, false);
        this.out.push(`${indent}${INDENT}${i === 0 ? '' : '|> '}${this.expr(s)}`);
      });
      this.out.push(`${indent}}`);
      return;
    }
    this.out.push(`${indent}|> ${this.expr(st)}`);
  }

  private repeatHead(r: A.RepeatExpr): string {
    return `repeat ${this.expr(r.count)}${r.index ? ` as ${r.index.name}` : ''}`;
  }

  // ───────── expressions (one line) ─────────

  expr(e: A.Expr): string {
    switch (e.kind) {
      case 'number':
      case 'string':
        return e.raw;
      case 'bool':
        return String(e.value);
      case 'name':
        return e.name;
      case 'error':
        return '';
      case 'list':
        return `[${e.items.map((x) => this.expr(x)).join(', ')}]`;
      case 'tuple':
        return `(${e.items.map((x) => this.expr(x)).join(', ')})`;
      case 'paren':
        return `(${this.expr(e.expr)})`;
      case 'neg':
        return '-'.repeat(e.count) + this.expr(e.operand);
      case 'not':
        return 'not '.repeat(e.count) + this.expr(e.operand);
      case 'compare':
        return `${this.expr(e.left)} ${e.op} ${this.expr(e.right)}`;
      case 'logic':
        return e.operands.map((o) => this.expr(o)).join(` ${e.op} `);
      case 'index': {
        const part = (x: A.Expr | undefined) => (x ? this.expr(x) : '');
        const items = e.items.map((it) =>
          it.kind === 'ellipsis' ? '...' : it.kind === 'at' ? this.expr(it.index) : `${part(it.start)}:${part(it.stop)}${it.step ? `:${this.expr(it.step)}` : ''}`,
        );
        return `${this.expr(e.target)}[${items.join(', ')}]`;
      }
      case 'binary':
        return e.operands.map((o, i) => (i === 0 ? '' : ` ${e.ops[i - 1]} `) + this.expr(o)).join('');
      case 'pipe':
        return [this.expr(e.head), ...e.stages.map((s) => this.expr(s))].join(' |> ');
      case 'repeat':
        return `${this.repeatHead(e)} { ${e.stages.map((s) => this.expr(s)).join(' |> ')} }`;
      case 'call': {
        const args = e.args.map((a) => (a.name ? `${a.name.name}: ` : '') + this.expr(a.value)).join(', ');
        let s = `${e.callee.name}(${args})`;
        if (e.settings) {
          const groups = e.settings.map((g) => `${g.param.name}: ${g.items.map((it) => `${it.key.name} ${this.expr(it.value)}`).join(', ')}`);
          s += groups.length ? ` { ${groups.join('; ')} }` : ' {}';
        }
        return s;
      }
    }
  }
}
