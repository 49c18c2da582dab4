/**
 * The .dlm abstract syntax tree. Every node carries its source span. Binary operators are n-ary
 * chains and unary minus is a count, so that long expressions never make the later phases recurse
 * deeply (nesting depth is bounded by the parser's bracket limit).
 */
import type { SourceSpan } from '@dlm/core';
import type { Comment } from './lexer.js';

export interface Ident {
  name: string;
  span: SourceSpan;
}

export interface ModuleAst {
  kind: 'module';
  file: string;
  items: Item[];
  comments: Comment[];
  span: SourceSpan;
}

export type Item = ImportDecl | LetDecl | ModelDecl | BlockDecl | TrainDecl;

export interface ImportDecl {
  kind: 'import';
  /** The path as written, without quotes. */
  path: string;
  raw: string;
  span: SourceSpan;
}

export interface LetDecl {
  kind: 'let';
  name: Ident;
  value: Expr;
  span: SourceSpan;
}

export interface ModelDecl {
  kind: 'model';
  name: Ident;
  body: Stmt[];
  span: SourceSpan;
}

export interface BlockParam {
  name: Ident;
  type?: Ident;
  default?: Expr;
  span: SourceSpan;
}

export interface BlockDecl {
  kind: 'block';
  name: Ident;
  params: BlockParam[];
  body: Stmt[];
  span: SourceSpan;
}

export interface TrainEntry {
  key: Ident;
  values: Expr[];
  span: SourceSpan;
}

export interface TrainDecl {
  kind: 'train';
  name: Ident;
  entries: TrainEntry[];
  span: SourceSpan;
}

export interface TensorTypeAst {
  dtype: Ident;
  dims: Expr[];
  span: SourceSpan;
}

export interface PortStmt {
  kind: 'input' | 'output';
  name: Ident;
  type?: TensorTypeAst;
  /** `output y: T = expression`: the output's value, given with its declaration. */
  value?: Expr;
  span: SourceSpan;
}

export interface AssignStmt {
  kind: 'assign';
  name: Ident;
  value: Expr;
  span: SourceSpan;
}

/** `q, k, v = expr`: the outputs of a multi-output layer or block, one name each. */
export interface DestructureStmt {
  kind: 'destructure';
  names: Ident[];
  value: Expr;
  span: SourceSpan;
}

/** `if cond { … } else { … }`, decided when compiling. `else if` is an `else` holding one IfStmt. */
export interface IfStmt {
  kind: 'if';
  cond: Expr;
  then: Stmt[];
  /** The `else` branch; `elseIf` when it is written `else if …` (one IfStmt). */
  else?: Stmt[];
  elseIf?: boolean;
  /** Spans of the closing braces of each branch, where trailing comments inside go. */
  thenEnd: number;
  elseEnd?: number;
  span: SourceSpan;
}

/** `for c in list { … }` or `for i in a..b { … }`, unrolled when compiling. */
export interface ForStmt {
  kind: 'for';
  variable: Ident;
  iterable: Expr;
  /** `a..b`: `iterable` is `a`, this is `b` (exclusive). */
  rangeEnd?: Expr;
  body: Stmt[];
  bodyEnd: number;
  span: SourceSpan;
}

export type Stmt = PortStmt | LetDecl | AssignStmt | DestructureStmt | IfStmt | ForStmt;

export interface Arg {
  name?: Ident;
  value: Expr;
  span: SourceSpan;
}

/** `weight: init he_normal, regularize l2(1e-3)` inside a call's `{ … }`. */
export interface SettingGroup {
  param: Ident;
  items: { key: Ident; value: Expr; span: SourceSpan }[];
  span: SourceSpan;
}

export type Expr =
  | { kind: 'number'; value: number; raw: string; span: SourceSpan }
  | { kind: 'string'; value: string; raw: string; span: SourceSpan }
  | { kind: 'bool'; value: boolean; span: SourceSpan }
  | { kind: 'name'; name: string; span: SourceSpan }
  | CallExpr
  | { kind: 'list'; items: Expr[]; span: SourceSpan }
  | { kind: 'tuple'; items: Expr[]; span: SourceSpan }
  | { kind: 'paren'; expr: Expr; span: SourceSpan }
  | { kind: 'neg'; count: number; operand: Expr; span: SourceSpan }
  | BinaryExpr
  | CompareExpr
  | LogicExpr
  | { kind: 'not'; count: number; operand: Expr; span: SourceSpan }
  | IndexExpr
  | PipeExpr
  | RepeatExpr
  | { kind: 'error'; span: SourceSpan };

export interface CallExpr {
  kind: 'call';
  callee: Ident;
  args: Arg[];
  settings?: SettingGroup[];
  settingsSpan?: SourceSpan;
  span: SourceSpan;
}

/** `a + b - c`: operands.length === ops.length + 1, evaluated left to right. */
export interface BinaryExpr {
  kind: 'binary';
  operands: Expr[];
  ops: BinaryOp[];
  span: SourceSpan;
}

export type BinaryOp = '+' | '-' | '*' | '/' | 'div' | '%' | '@';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface CompareExpr {
  kind: 'compare';
  op: CompareOp;
  left: Expr;
  right: Expr;
  span: SourceSpan;
}

/** `a and b and c` / `a or b`: n-ary like BinaryExpr; `and` binds tighter than `or`. */
export interface LogicExpr {
  kind: 'logic';
  op: 'and' | 'or';
  operands: Expr[];
  span: SourceSpan;
}

/** One item between the brackets of `x[…]`. */
export type SliceItem =
  | { kind: 'ellipsis'; span: SourceSpan }
  | { kind: 'at'; index: Expr; span: SourceSpan }
  | { kind: 'slice'; start?: Expr; stop?: Expr; step?: Expr; span: SourceSpan };

export interface IndexExpr {
  kind: 'index';
  target: Expr;
  items: SliceItem[];
  span: SourceSpan;
}

export interface PipeExpr {
  kind: 'pipe';
  head: Expr;
  stages: Expr[];
  span: SourceSpan;
}

export interface RepeatExpr {
  kind: 'repeat';
  count: Expr;
  index?: Ident;
  stages: Expr[];
  span: SourceSpan;
}
