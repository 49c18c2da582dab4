/**
 * The .dlm grammar (Chevrotain EmbeddedActionsParser) and the AST it builds as it parses, with no
 * concrete syntax tree in between. docs/language.md has the same grammar in EBNF; keep the two in
 * step. The parser instance is built once and reused (Chevrotain's recommendation).
 *
 * Each rule fills a small state record (its children, named after the child rules) and `finish`
 * turns that into AST. Error recovery must keep what was parsed before the error, as a CST parser
 * keeps its partial nodes: when a rule fails, `def` finishes the partial state and hangs it on
 * the exception; the enclosing rule adopts it as the child it was parsing, and the rule where
 * Chevrotain re-synchronizes returns it (`recoveryValueFunc`).
 */
import type { IToken, TokenType } from 'chevrotain';
import { EmbeddedActionsParser, isRecognitionException } from './chevrotain.js';
import type { LineMap, SourceSpan } from '@dlm/core';
import type * as A from './ast.js';
import type { Comment } from './lexer.js';
import * as T from './lexer.js';
import { messageProvider } from './grammar-messages.js';

/**
 * Parse errors after which the parser stops (DLM1024 says where). Recovery costs per error, so
 * a megabyte of junk would otherwise take minutes; a real file never comes near this.
 */
export const MAX_SYNTAX_ERRORS = 1000;

/** Thrown at the next rule once MAX_SYNTAX_ERRORS errors were thrown; carries partial ASTs up like a parse error. */
class StopParsing extends Error {}

/** A parse error carrying the partial AST of the innermost rule it has left so far. */
interface PartialCarrier {
  partialAst?: unknown;
  partialRule?: string;
}

type Loose = Record<string, unknown>;

/** Default adoption of a failed child's partial AST: the state field named after the child rule. */
function adoptByRule(s: object, rule: string, value: unknown): void {
  const slot = (s as Loose)[rule];
  if (Array.isArray(slot)) slot.push(value);
  else (s as Loose)[rule] = value;
}

export interface ParseProblem {
  message: string;
  span: SourceSpan;
}

class DlmParser extends EmbeddedActionsParser {
  /** Source of the current parse (set by `parseModule`). */
  private lines!: LineMap;
  private comments: Comment[] = [];
  /** Syntax problems the grammar accepts on purpose so that it can word them precisely. */
  problems: ParseProblem[] = [];
  /**
   * Start offsets of the real (not recovery-inserted) tokens consumed so far, in order, and the end
   * of the last one: a rule's span runs from the first token it consumed to the last.
   */
  private starts = new Int32Array(1024);
  private consumed = 0;
  private lastEnd = 0;
  /** Parse errors thrown so far (each counted once, though it passes through several rules). */
  private thrown = 0;
  private lastThrown: unknown;
  /** The token where parsing stopped after MAX_SYNTAX_ERRORS errors, if it did. */
  stoppedAt: IToken | undefined;
  /**
   * Whether `atom` may take its shortcut. Only the differential test turns it off, to show that
   * parsing with and without it gives the same AST and diagnostics.
   */
  shortcuts = true;

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, errorMessageProvider: messageProvider, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  parseModule(tokens: IToken[], lines: LineMap, comments: Comment[]): A.ModuleAst {
    this.lines = lines;
    this.comments = comments;
    this.problems = [];
    if (this.starts.length < tokens.length + 1) this.starts = new Int32Array(tokens.length + 1);
    this.consumed = 0;
    this.lastEnd = 0;
    this.thrown = 0;
    this.lastThrown = undefined;
    this.stoppedAt = undefined;
    this.input = tokens;
    try {
      return this.module();
    } catch (e) {
      if (!(e instanceof StopParsing)) throw e;
      return (e as PartialCarrier).partialAst as A.ModuleAst;
    }
  }

  /**
   * Lets go of the last parse's tokens and text once its errors have been read: the parser is one
   * shared instance, and would otherwise keep a whole file's tokens alive until the next parse.
   * (Setting `input` also clears `errors`, hence a separate step.)
   */
  release(): void {
    this.input = [];
    this.comments = [];
    this.problems = [];
    this.stoppedAt = undefined;
    this.lastThrown = undefined;
  }

  // ─────────────────────────────── helpers ───────────────────────────────

  /** Records a consumed token for spans; returns it unless error recovery invented it. */
  private tok(t: IToken): IToken | undefined {
    if (this.RECORDING_PHASE || t.isInsertedInRecovery) return undefined;
    if (this.consumed >= this.starts.length) {
      const grown = new Int32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[this.consumed++] = t.startOffset;
    this.lastEnd = t.startOffset + t.image.length;
    return t;
  }

  /**
   * Records the separator Chevrotain's MANY_SEP consumed before this item (a CST parser keeps it
   * as a child, so it counts for spans: `f(1,` ends after the comma). Always true.
   */
  private sep(): true {
    if (this.RECORDING_PHASE) return true;
    const prev = this.LA(0);
    if (prev.tokenType === T.Comma && prev.startOffset >= this.lastEnd) this.tok(prev);
    return true;
  }

  /** Span of everything consumed since `mark` (a `consumed` count); an empty span at 0 when nothing was. */
  private spanFrom(mark: number): SourceSpan {
    if (this.consumed <= mark) return this.lines.span(0, 0);
    return this.lines.span(this.starts[mark]!, this.lastEnd);
  }

  /**
   * Shortcuts, taken only when the tokens ahead are known: a lone number or name followed by a
   * given token (`dense(16)`'s argument, the `relu` of `|> relu |>`: `atom`), and a call whose
   * arguments are such (`dense(16)`, `conv2d(8, kernel: k)`, no settings) followed by `|>`, as a
   * pipeline stage (`simpleStage`, and `pipedSimpleStage` in `expression`'s loop), and such an
   * atom as a positional argument (`positionalAtomArg`, also skipping `arg`, whose node it makes as
   * `arg` would). The rules they skip (`stage`, `orExpr` … `unary`, `primary`, and for an atom
   * `callOrName`) would on these tokens consume nothing else, enter none of their loops or
   * options, fail nowhere, and return the node of the rule below unchanged; so the AST, the spans
   * and the parser's state after them are the same, at a fraction of the cost (each rule
   * invocation is Chevrotain's bookkeeping and a state record). Never while Chevrotain records the
   * grammar, which so sees the full rules only: lookahead, recovery follow sets and error messages
   * are computed from them as before. Token types are compared exactly (a BadNumber, of category
   * NumberLit, takes the full path). `at` is the lookahead index of the first token.
   */
  private shortcutsOn(): boolean {
    return !this.RECORDING_PHASE && this.shortcuts && this.thrown < MAX_SYNTAX_ERRORS;
  }

  private atomAhead(at: number, follow: TokenType, follow2?: TokenType): boolean {
    const type = this.LA(at).tokenType;
    if (type !== T.NumberLit && type !== T.Identifier) return false;
    const after = this.LA(at + 1).tokenType;
    return after === follow || after === follow2;
  }

  private simpleCallAhead(at: number, follow: TokenType): boolean {
    if (this.LA(at).tokenType !== T.Identifier || this.LA(at + 1).tokenType !== T.LParen) return false;
    // k: the token after the ')' once the arguments are read.
    let k = at + 2;
    if (this.LA(k).tokenType === T.RParen) k++;
    else {
      for (;;) {
        if (this.LA(k).tokenType === T.Identifier && this.LA(k + 1).tokenType === T.Colon) k += 2;
        const value = this.LA(k).tokenType;
        if (value !== T.NumberLit && value !== T.Identifier) return false;
        const after = this.LA(k + 1).tokenType;
        k += 2;
        if (after === T.RParen) break;
        if (after !== T.Comma) return false;
      }
    }
    return this.LA(k).tokenType === follow;
  }

  /** The atom at LA(1) (see atomAhead): primary's node for it, as callOrName or number makes it. */
  private readAtom(): A.Expr {
    if (this.LA(1).tokenType === T.NumberLit) return this.number(this.tok(this.CONSUME9(T.NumberLit))!);
    const id = this.tok(this.CONSUME9(T.Identifier))!;
    return { kind: 'name', name: id.image, span: this.tokSpan(id) };
  }

  /** An atom followed by `follow` or `follow2`, read; undefined when that is not what is ahead. */
  private atom(follow: TokenType, follow2?: TokenType): A.Expr | undefined {
    return this.shortcutsOn() && this.atomAhead(1, follow, follow2) ? this.readAtom() : undefined;
  }

  /**
   * A positional argument that is an atom followed by ',' or ')': the `arg` rule's result for it
   * (its value, sharing the value's span), without entering that rule; undefined otherwise.
   */
  private positionalAtomArg(): A.Arg | undefined {
    if (!this.shortcutsOn() || !this.atomAhead(1, T.Comma, T.RParen)) return undefined;
    const value = this.readAtom();
    return { value, span: value.span };
  }

  /** A pipeline stage of an atom or a simple call followed by `|>`, read; undefined otherwise. */
  private simpleStage(): A.Expr | undefined {
    if (!this.shortcutsOn()) return undefined;
    if (this.atomAhead(1, T.Pipe)) return this.readAtom();
    return this.simpleCallAhead(1, T.Pipe) ? this.SUBRULE9(this.callOrName) : undefined;
  }

  /**
   * `|> stage` where the stage is one `simpleStage` reads: the '|>' consumed and the stage's AST,
   * without `expression`'s loop entering `stage` (whose body would do just this); else undefined.
   */
  private pipedSimpleStage(): A.Expr | undefined {
    if (!this.shortcutsOn() || this.LA(1).tokenType !== T.Pipe) return undefined;
    const isAtom = this.atomAhead(2, T.Pipe);
    if (!isAtom && !this.simpleCallAhead(2, T.Pipe)) return undefined;
    this.tok(this.CONSUME9(T.Pipe));
    return isAtom ? this.readAtom() : this.SUBRULE9(this.callOrName);
  }

  private tokSpan(t: IToken): SourceSpan {
    return this.lines.span(t.startOffset, t.startOffset + t.image.length);
  }

  private ident(t: IToken | undefined, fallback: () => SourceSpan): A.Ident {
    if (!t) return { name: '', span: fallback() };
    return { name: t.image, span: this.tokSpan(t) };
  }

  /**
   * Defines a rule: `init` makes its state, `body` parses into it, `finish(state, mark)` builds
   * the AST (`mark` for `spanFrom`). On a parse error the partial state is finished too.
   */
  private def<S extends object, R>(
    name: string,
    init: () => S,
    body: (s: S) => void,
    finish: (s: S, mark: number) => R,
    adopt: (s: S, rule: string, value: unknown) => void = adoptByRule,
  ) {
    return this.RULE(
      name,
      (): R => {
        const s = init();
        const mark = this.consumed;
        try {
          if (this.thrown >= MAX_SYNTAX_ERRORS && !this.RECORDING_PHASE) {
            this.stoppedAt = this.LA(1);
            throw new StopParsing();
          }
          body(s);
        } catch (e) {
          const stop = e instanceof StopParsing;
          if (!this.RECORDING_PHASE && (stop || isRecognitionException(e as Error))) {
            if (!stop && e !== this.lastThrown) {
              this.lastThrown = e;
              this.thrown++;
            }
            const carrier = e as PartialCarrier;
            if (carrier.partialRule !== undefined) adopt(s, carrier.partialRule, carrier.partialAst);
            carrier.partialAst = finish(s, mark);
            carrier.partialRule = name;
          }
          throw e;
        }
        return this.RECORDING_PHASE ? (undefined as R) : finish(s, mark);
      },
      {
        recoveryValueFunc: (e) => {
          const carrier = e as PartialCarrier;
          const value = carrier.partialAst as R;
          delete carrier.partialAst;
          delete carrier.partialRule;
          return value;
        },
      },
    );
  }

  private error(span: SourceSpan): A.Expr {
    return { kind: 'error', span };
  }

  // ─────────────────────────────── declarations ───────────────────────────────

  module = this.def(
    'module',
    () => ({ importDecl: [] as A.ImportDecl[], letDecl: [] as A.LetDecl[], modelDecl: [] as A.ModelDecl[], blockDecl: [] as A.BlockDecl[], trainDecl: [] as A.TrainDecl[] }),
    (s) => {
      this.MANY(() => {
        this.OR([
          { ALT: () => s.importDecl.push(this.SUBRULE(this.importDecl)) },
          { ALT: () => s.letDecl.push(this.SUBRULE(this.letDecl)) },
          { ALT: () => s.modelDecl.push(this.SUBRULE(this.modelDecl)) },
          { ALT: () => s.blockDecl.push(this.SUBRULE(this.blockDecl)) },
          { ALT: () => s.trainDecl.push(this.SUBRULE(this.trainDecl)) },
        ]);
      });
    },
    (s): A.ModuleAst => {
      const items: A.Item[] = [...s.importDecl, ...s.letDecl, ...s.modelDecl, ...s.blockDecl, ...s.trainDecl];
      items.sort((a, b) => a.span.start - b.span.start);
      return { kind: 'module', file: this.lines.file, items, comments: this.comments, span: this.lines.span(0, this.lines.text.length) };
    },
  );

  importDecl = this.def(
    'importDecl',
    () => ({ str: undefined as IToken | undefined }),
    (s) => {
      this.tok(this.CONSUME(T.Import));
      s.str = this.tok(this.CONSUME(T.StringLit));
    },
    (s, mark): A.ImportDecl => {
      const raw = s.str?.image ?? '""';
      return { kind: 'import', path: unquote(raw), raw, span: this.spanFrom(mark) };
    },
  );

  letDecl = this.def(
    'letDecl',
    () => ({ id: undefined as IToken | undefined, expression: undefined as A.Expr | undefined }),
    (s) => {
      this.tok(this.CONSUME(T.Let));
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.tok(this.CONSUME(T.Equals));
      s.expression = this.SUBRULE(this.expression);
    },
    (s, mark): A.LetDecl => {
      const span = this.spanFrom(mark);
      return { kind: 'let', name: this.ident(s.id, () => span), value: s.expression ?? this.error(span), span };
    },
  );

  modelDecl = this.def(
    'modelDecl',
    () => ({ id: undefined as IToken | undefined, statement: [] as A.Stmt[] }),
    (s) => {
      this.tok(this.CONSUME(T.Model));
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.tok(this.CONSUME(T.LCurly));
      this.MANY(() => s.statement.push(this.SUBRULE(this.statement)));
      this.tok(this.CONSUME(T.RCurly));
    },
    (s, mark): A.ModelDecl => {
      const span = this.spanFrom(mark);
      return { kind: 'model', name: this.ident(s.id, () => span), body: s.statement, span };
    },
  );

  blockDecl = this.def(
    'blockDecl',
    () => ({ id: undefined as IToken | undefined, blockParam: [] as A.BlockParam[], statement: [] as A.Stmt[] }),
    (s) => {
      this.tok(this.CONSUME(T.Block));
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.tok(this.CONSUME(T.LParen));
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.blockParam.push(this.SUBRULE(this.blockParam)) });
      this.tok(this.CONSUME(T.RParen));
      this.tok(this.CONSUME(T.LCurly));
      this.MANY(() => s.statement.push(this.SUBRULE(this.statement)));
      this.tok(this.CONSUME(T.RCurly));
    },
    (s, mark): A.BlockDecl => {
      const span = this.spanFrom(mark);
      return { kind: 'block', name: this.ident(s.id, () => span), params: s.blockParam, body: s.statement, span };
    },
  );

  blockParam = this.def(
    'blockParam',
    () => ({ id: undefined as IToken | undefined, type: undefined as IToken | undefined, expression: undefined as A.Expr | undefined }),
    (s) => {
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.OPTION(() => {
        this.tok(this.CONSUME(T.Colon));
        s.type = this.tok(this.CONSUME2(T.Identifier));
      });
      this.OPTION2(() => {
        this.tok(this.CONSUME(T.Equals));
        s.expression = this.SUBRULE(this.expression);
      });
    },
    (s, mark): A.BlockParam => {
      const span = this.spanFrom(mark);
      return {
        name: this.ident(s.id, () => span),
        ...(s.type ? { type: this.ident(s.type, () => span) } : {}),
        ...(s.expression ? { default: s.expression } : {}),
        span,
      };
    },
  );

  trainDecl = this.def(
    'trainDecl',
    () => ({ id: undefined as IToken | undefined, trainEntry: [] as A.TrainEntry[] }),
    (s) => {
      this.tok(this.CONSUME(T.Train));
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.tok(this.CONSUME(T.LCurly));
      this.MANY(() => s.trainEntry.push(this.SUBRULE(this.trainEntry)));
      this.tok(this.CONSUME(T.RCurly));
    },
    (s, mark): A.TrainDecl => {
      const span = this.spanFrom(mark);
      return { kind: 'train', name: this.ident(s.id, () => span), entries: s.trainEntry, span };
    },
  );

  trainEntry = this.def(
    'trainEntry',
    () => ({ id: undefined as IToken | undefined, expression: [] as A.Expr[] }),
    (s) => {
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.expression.push(this.SUBRULE(this.expression)) });
    },
    (s, mark): A.TrainEntry => {
      const span = this.spanFrom(mark);
      return { key: this.ident(s.id, () => span), values: s.expression, span };
    },
  );

  // ─────────────────────────────── statements ───────────────────────────────

  statement = this.def(
    'statement',
    () => ({
      portStmt: undefined as A.PortStmt | undefined,
      letDecl: undefined as A.LetDecl | undefined,
      ifStmt: undefined as A.IfStmt | undefined,
      forStmt: undefined as A.ForStmt | undefined,
      assignStmt: undefined as A.Stmt | undefined,
    }),
    (s) => {
      this.OR([
        { ALT: () => (s.portStmt = this.SUBRULE(this.portStmt)) },
        { ALT: () => (s.letDecl = this.SUBRULE(this.letDecl)) },
        { ALT: () => (s.ifStmt = this.SUBRULE(this.ifStmt)) },
        { ALT: () => (s.forStmt = this.SUBRULE(this.forStmt)) },
        { ALT: () => (s.assignStmt = this.SUBRULE(this.assignStmt)) },
      ]);
    },
    (s, mark): A.Stmt => {
      const stmt = s.portStmt ?? s.letDecl ?? s.ifStmt ?? s.forStmt ?? s.assignStmt;
      if (stmt) return stmt;
      // No alternative started: an empty assignment where the statement was.
      const span = this.spanFrom(mark);
      return { kind: 'assign', name: this.ident(undefined, () => span), value: this.error(span), span };
    },
  );

  /** `if cond { … } else if cond { … } else { … }`: chosen when compiling. */
  ifStmt = this.def(
    'ifStmt',
    () => ({ orExpr: undefined as A.Expr | undefined, stmtBlock: [] as StmtBlock[], ifStmt: undefined as A.IfStmt | undefined }),
    (s) => {
      this.tok(this.CONSUME(T.If));
      s.orExpr = this.SUBRULE(this.orExpr);
      s.stmtBlock.push(this.SUBRULE(this.stmtBlock));
      this.OPTION(() => {
        this.tok(this.CONSUME(T.Else));
        this.OR([{ ALT: () => (s.ifStmt = this.SUBRULE(this.ifStmt)) }, { ALT: () => s.stmtBlock.push(this.SUBRULE2(this.stmtBlock)) }]);
      });
    },
    (s, mark): A.IfStmt => {
      const span = this.spanFrom(mark);
      const then = s.stmtBlock[0] ?? NO_BLOCK;
      const out: A.IfStmt = { kind: 'if', cond: s.orExpr ?? this.error(span), then: then.stmts, thenEnd: then.end, span };
      if (s.ifStmt) {
        out.else = [s.ifStmt];
        out.elseIf = true;
        out.elseEnd = s.ifStmt.span.end;
      } else if (s.stmtBlock[1]) {
        out.else = s.stmtBlock[1].stmts;
        out.elseEnd = s.stmtBlock[1].end;
      }
      return out;
    },
  );

  /** `for c in [64, "M"] { … }` or `for i in 0..n { … }`: unrolled when compiling. */
  forStmt = this.def(
    'forStmt',
    () => ({ id: undefined as IToken | undefined, additive: [] as A.Expr[], stmtBlock: undefined as StmtBlock | undefined }),
    (s) => {
      this.tok(this.CONSUME(T.For));
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.tok(this.CONSUME(T.In));
      s.additive.push(this.SUBRULE(this.additive));
      this.OPTION(() => {
        this.tok(this.CONSUME(T.DotDot));
        s.additive.push(this.SUBRULE2(this.additive));
      });
      s.stmtBlock = this.SUBRULE(this.stmtBlock);
    },
    (s, mark): A.ForStmt => {
      const span = this.spanFrom(mark);
      const body = s.stmtBlock ?? NO_BLOCK;
      return {
        kind: 'for',
        variable: this.ident(s.id, () => span),
        iterable: s.additive[0] ?? this.error(span),
        ...(s.additive[1] ? { rangeEnd: s.additive[1] } : {}),
        body: body.stmts,
        bodyEnd: body.end,
        span,
      };
    },
  );

  /** Statements between braces; ports are declared at the top of a body only. */
  stmtBlock = this.def(
    'stmtBlock',
    () => ({ statement: [] as A.Stmt[] }),
    (s) => {
      this.tok(this.CONSUME(T.LCurly));
      this.MANY(() => s.statement.push(this.SUBRULE(this.statement)));
      this.tok(this.CONSUME(T.RCurly));
    },
    (s, mark): StmtBlock => {
      for (const st of s.statement) {
        if (st.kind === 'input' || st.kind === 'output') {
          this.problems.push({ message: `'${st.kind}' is declared at the top of a model or block, not inside 'if' or 'for'.`, span: st.span });
        }
      }
      return { stmts: s.statement, end: this.spanFrom(mark).end };
    },
  );

  portStmt = this.def(
    'portStmt',
    () => ({
      input: false,
      id: undefined as IToken | undefined,
      colon: false,
      tensorType: undefined as A.TensorTypeAst | undefined,
      equals: undefined as IToken | undefined,
      expression: undefined as A.Expr | undefined,
    }),
    (s) => {
      this.OR([{ ALT: () => (s.input = this.tok(this.CONSUME(T.Input)) !== undefined) }, { ALT: () => this.tok(this.CONSUME(T.Output)) }]);
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.OPTION({
        // The ':' is required; accepting its absence (`input x f32[…]`) lets the parser say exactly that.
        GATE: () => this.LA(1).tokenType === T.Colon || (this.LA(1).tokenType === T.Identifier && this.LA(2).tokenType === T.LBracket),
        DEF: () => {
          this.OPTION2(() => (s.colon = this.tok(this.CONSUME(T.Colon)) !== undefined));
          s.tensorType = this.SUBRULE(this.tensorType);
        },
      });
      // `output y: f32[batch, 10] = expression` declares and assigns at once.
      this.OPTION3(() => {
        s.equals = this.CONSUME(T.Equals);
        this.tok(s.equals);
        s.expression = this.SUBRULE(this.expression);
      });
    },
    (s, mark): A.PortStmt => {
      const span = this.spanFrom(mark);
      const kind = s.input ? 'input' : 'output';
      const name = this.ident(s.id, () => span);
      const tt = s.tensorType;
      if (tt && !s.colon) {
        this.problems.push({ message: `Expected ':' between '${name.name}' and its type ${tt.dtype.name}[…].`, span: tt.dtype.span });
      }
      if (s.expression && kind === 'input' && s.equals) {
        this.problems.push({ message: `An input cannot be given a value: inputs get theirs from the caller.`, span: this.tokSpan(s.equals) });
      }
      return { kind, name, ...(tt ? { type: tt } : {}), ...(s.expression ? { value: s.expression } : {}), span };
    },
  );

  tensorType = this.def(
    'tensorType',
    () => ({ id: undefined as IToken | undefined, expression: [] as A.Expr[] }),
    (s) => {
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.tok(this.CONSUME(T.LBracket));
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.expression.push(this.SUBRULE(this.expression)) });
      this.tok(this.CONSUME(T.RBracket));
    },
    (s, mark): A.TensorTypeAst => {
      const span = this.spanFrom(mark);
      return { dtype: this.ident(s.id, () => span), dims: s.expression, span };
    },
  );

  assignStmt = this.def(
    'assignStmt',
    () => ({ ids: [] as IToken[], expression: undefined as A.Expr | undefined }),
    (s) => {
      const first = this.tok(this.CONSUME(T.Identifier));
      if (first) s.ids.push(first);
      // `q, k, v = …` destructures the outputs of a multi-output layer or block.
      this.MANY(() => {
        this.tok(this.CONSUME(T.Comma));
        const more = this.tok(this.CONSUME2(T.Identifier));
        if (more) s.ids.push(more);
      });
      this.tok(this.CONSUME(T.Equals));
      s.expression = this.SUBRULE(this.expression);
    },
    (s, mark): A.Stmt => {
      const span = this.spanFrom(mark);
      const value = s.expression ?? this.error(span);
      const ids = s.ids.map((t) => this.ident(t, () => span));
      if (ids.length > 1) return { kind: 'destructure', names: ids, value, span };
      return { kind: 'assign', name: ids[0] ?? this.ident(undefined, () => span), value, span };
    },
  );

  // ─────────────────────────────── expressions ───────────────────────────────

  expression = this.def(
    'expression',
    () => ({ orExpr: undefined as A.Expr | undefined, stage: [] as A.Expr[] }),
    (s) => {
      s.orExpr = this.SUBRULE(this.orExpr);
      for (let e = this.pipedSimpleStage(); e !== undefined; e = this.pipedSimpleStage()) s.stage.push(e);
      this.MANY(() => {
        this.tok(this.CONSUME(T.Pipe));
        s.stage.push(this.SUBRULE(this.stage));
      });
    },
    (s, mark): A.Expr => {
      if (s.stage.length === 0 && s.orExpr) return s.orExpr;
      const span = this.spanFrom(mark);
      const head = s.orExpr ?? this.error(span);
      if (s.stage.length === 0) return head;
      return { kind: 'pipe', head, stages: s.stage, span };
    },
  );

  stage = this.def(
    'stage',
    () => ({ repeatExpr: undefined as A.Expr | undefined, additive: undefined as A.Expr | undefined }),
    (s) => {
      s.additive = this.simpleStage();
      if (s.additive === undefined) {
        this.OR([{ ALT: () => (s.repeatExpr = this.SUBRULE(this.repeatExpr)) }, { ALT: () => (s.additive = this.SUBRULE(this.additive)) }]);
      }
    },
    (s, mark): A.Expr => s.repeatExpr ?? s.additive ?? this.error(this.spanFrom(mark)),
  );

  repeatExpr = this.def(
    'repeatExpr',
    () => ({ repeatCount: undefined as A.Expr | undefined, index: undefined as IToken | undefined, stage: [] as A.Expr[] }),
    (s) => {
      this.tok(this.CONSUME(T.Repeat));
      s.repeatCount = this.SUBRULE(this.repeatCount);
      this.OPTION(() => {
        this.tok(this.CONSUME(T.As));
        s.index = this.tok(this.CONSUME(T.Identifier));
      });
      this.tok(this.CONSUME(T.LCurly));
      s.stage.push(this.SUBRULE(this.stage));
      this.MANY(() => {
        this.tok(this.CONSUME(T.Pipe));
        s.stage.push(this.SUBRULE2(this.stage));
      });
      this.tok(this.CONSUME(T.RCurly));
    },
    (s, mark): A.Expr => {
      const span = this.spanFrom(mark);
      return {
        kind: 'repeat',
        count: s.repeatCount ?? this.error(span),
        ...(s.index ? { index: this.ident(s.index, () => span) } : {}),
        stages: s.stage,
        span,
      };
    },
  );

  /** The count's expression, or undefined when none of its forms was found. */
  repeatCount = this.def(
    'repeatCount',
    () => ({ num: undefined as IToken | undefined, id: undefined as IToken | undefined, parenOrTuple: undefined as A.Expr | undefined }),
    (s) => {
      this.OR([
        { ALT: () => (s.num = this.tok(this.CONSUME(T.NumberLit))) },
        { ALT: () => (s.id = this.tok(this.CONSUME(T.Identifier))) },
        { ALT: () => (s.parenOrTuple = this.SUBRULE(this.parenOrTuple)) },
      ]);
    },
    (s): A.Expr | undefined => {
      if (s.num) return this.number(s.num);
      if (s.id) return { kind: 'name', name: s.id.image, span: this.tokSpan(s.id) };
      return s.parenOrTuple;
    },
  );

  orExpr = this.def(
    'orExpr',
    () => ({ andExpr: [] as A.Expr[] }),
    (s) => {
      s.andExpr.push(this.SUBRULE(this.andExpr));
      this.MANY(() => {
        this.tok(this.CONSUME(T.Or));
        s.andExpr.push(this.SUBRULE2(this.andExpr));
      });
    },
    (s, mark): A.Expr => this.logic('or', s.andExpr, mark),
  );

  andExpr = this.def(
    'andExpr',
    () => ({ notExpr: [] as A.Expr[] }),
    (s) => {
      s.notExpr.push(this.SUBRULE(this.notExpr));
      this.MANY(() => {
        this.tok(this.CONSUME(T.And));
        s.notExpr.push(this.SUBRULE2(this.notExpr));
      });
    },
    (s, mark): A.Expr => this.logic('and', s.notExpr, mark),
  );

  private logic(op: 'and' | 'or', operands: A.Expr[], mark: number): A.Expr {
    if (operands.length === 1) return operands[0]!;
    const span = this.spanFrom(mark);
    if (operands.length === 0) return this.error(span);
    return { kind: 'logic', op, operands, span };
  }

  notExpr = this.def(
    'notExpr',
    () => ({ count: 0, comparison: undefined as A.Expr | undefined }),
    (s) => {
      this.MANY(() => {
        if (this.tok(this.CONSUME(T.Not))) s.count++;
      });
      s.comparison = this.SUBRULE(this.comparison);
    },
    (s, mark): A.Expr => {
      if (s.count === 0 && s.comparison) return s.comparison;
      const span = this.spanFrom(mark);
      const operand = s.comparison ?? this.error(span);
      return s.count === 0 ? operand : { kind: 'not', count: s.count, operand, span };
    },
  );

  /**
   * One comparison, not a chain: `a < b < c` is an error rather than Python's surprise. The rule
   * accepts a chain anyway so that the error can say so and show the rewrite, instead of a generic
   * "expected '{'" followed by errors from wherever recovery lands.
   */
  comparison = this.def(
    'comparison',
    () => ({ additive: [] as A.Expr[], ops: [] as (IToken | undefined)[] }),
    (s) => {
      s.additive.push(this.SUBRULE(this.additive));
      this.MANY(() => {
        s.ops.push(
          this.tok(
            this.OR([
              { ALT: () => this.CONSUME(T.EqEq) },
              { ALT: () => this.CONSUME(T.NotEq) },
              { ALT: () => this.CONSUME(T.LessEq) },
              { ALT: () => this.CONSUME(T.GreaterEq) },
              { ALT: () => this.CONSUME(T.Less) },
              { ALT: () => this.CONSUME(T.Greater) },
            ]),
          ),
        );
        s.additive.push(this.SUBRULE2(this.additive));
      });
    },
    (s, mark): A.Expr => {
      const [left, right] = s.additive;
      const op = s.ops[0];
      if (left && (!right || !op)) return left;
      const span = this.spanFrom(mark);
      if (!left) return this.error(span);
      if (s.additive.length <= 2) return { kind: 'compare', op: op!.image as A.CompareOp, left, right: right!, span };
      return this.chainedComparison(s.additive, s.ops, span);
    },
  );

  /**
   * `a < b < c`: reported once, with the rewrite, and parsed as that rewrite (`a < b and b < c`)
   * so that nothing downstream reports a follow-on error about it.
   */
  private chainedComparison(operands: A.Expr[], ops: (IToken | undefined)[], span: SourceSpan): A.Expr {
    const text = (e: A.Expr) => this.lines.text.slice(e.span.start, e.span.end);
    const pairs: A.Expr[] = [];
    const words: string[] = [];
    for (let i = 0; i + 1 < operands.length; i++) {
      const op = ops[i];
      if (!op) return this.error(span);
      const left = operands[i]!;
      const right = operands[i + 1]!;
      const pairSpan = this.lines.span(left.span.start, right.span.end);
      pairs.push({ kind: 'compare', op: op.image as A.CompareOp, left, right, span: pairSpan });
      words.push(`${text(left)} ${op.image} ${text(right)}`);
    }
    this.problems.push({
      message: `Chained comparisons are not supported: write '${words.join(' and ')}' (one comparison per pair, joined with 'and').`,
      span,
    });
    return { kind: 'logic', op: 'and', operands: pairs, span };
  }

  additive = this.def(
    'additive',
    () => ({ multiplicative: [] as A.Expr[], ops: [] as A.BinaryOp[] }),
    (s) => {
      s.multiplicative.push(this.SUBRULE(this.multiplicative));
      this.MANY(() => {
        const op = this.tok(this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]));
        if (op) s.ops.push(op.image as A.BinaryOp);
        s.multiplicative.push(this.SUBRULE2(this.multiplicative));
      });
    },
    (s, mark): A.Expr => this.chain(s.multiplicative, s.ops, mark),
  );

  multiplicative = this.def(
    'multiplicative',
    () => ({ unary: [] as A.Expr[], ops: [] as A.BinaryOp[] }),
    (s) => {
      s.unary.push(this.SUBRULE(this.unary));
      this.MANY(() => {
        const op = this.tok(
          this.OR([
            { ALT: () => this.CONSUME(T.Star) },
            { ALT: () => this.CONSUME(T.Slash) },
            { ALT: () => this.CONSUME(T.Div) },
            { ALT: () => this.CONSUME(T.Percent) },
            { ALT: () => this.CONSUME(T.At) },
          ]),
        );
        if (op) s.ops.push(op.image as A.BinaryOp);
        s.unary.push(this.SUBRULE2(this.unary));
      });
    },
    (s, mark): A.Expr => this.chain(s.unary, s.ops, mark),
  );

  private chain(operands: A.Expr[], ops: A.BinaryOp[], mark: number): A.Expr {
    if (operands.length === 1) return operands[0]!;
    const span = this.spanFrom(mark);
    if (operands.length === 0) return this.error(span);
    // Recovery may leave operators without operands; keep the chain consistent.
    while (ops.length >= operands.length) ops.pop();
    while (operands.length > ops.length + 1) operands.pop();
    return { kind: 'binary', operands, ops, span };
  }

  unary = this.def(
    'unary',
    () => ({ count: 0, primary: undefined as A.Expr | undefined, indexSuffix: [] as IndexSuffix[] }),
    (s) => {
      this.MANY(() => {
        if (this.tok(this.CONSUME(T.Minus))) s.count++;
      });
      s.primary = this.SUBRULE(this.primary);
      // Indexing and slicing: x[:, -1], x[..., 0:64], x[:, ::2].
      this.MANY2(() => s.indexSuffix.push(this.SUBRULE(this.indexSuffix)));
    },
    (s, mark): A.Expr => {
      if (s.primary && s.count === 0 && s.indexSuffix.length === 0) return s.primary;
      let span: SourceSpan | undefined;
      let operand = s.primary ?? this.error((span = this.spanFrom(mark)));
      for (const ix of s.indexSuffix) operand = { kind: 'index', target: operand, items: ix.items, span: this.lines.span(operand.span.start, ix.end) };
      if (s.count === 0) return operand;
      return { kind: 'neg', count: s.count, operand, span: span ?? this.spanFrom(mark) };
    },
  );

  indexSuffix = this.def(
    'indexSuffix',
    () => ({ sliceItem: [] as A.SliceItem[] }),
    (s) => {
      this.tok(this.CONSUME(T.LBracket));
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.sliceItem.push(this.SUBRULE(this.sliceItem)) });
      this.tok(this.CONSUME(T.RBracket));
    },
    (s, mark): IndexSuffix => ({ items: s.sliceItem, end: this.spanFrom(mark).end }),
  );

  /** `...`, `i`, or `start:stop:step` with every part optional. */
  sliceItem = this.def(
    'sliceItem',
    () => ({ ellipsis: false, start: undefined as A.Expr | undefined, colon1: false, stop: undefined as A.Expr | undefined, colon2: false, step: undefined as A.Expr | undefined }),
    (s) => {
      this.OR([
        { ALT: () => (s.ellipsis = this.tok(this.CONSUME(T.Ellipsis)) !== undefined) },
        {
          ALT: () => {
            this.OPTION(() => (s.start = this.SUBRULE(this.additive)));
            this.OPTION2(() => {
              s.colon1 = this.tok(this.CONSUME(T.Colon)) !== undefined;
              this.OPTION3(() => (s.stop = this.SUBRULE2(this.additive)));
              this.OPTION4(() => {
                s.colon2 = this.tok(this.CONSUME2(T.Colon)) !== undefined;
                this.OPTION5(() => (s.step = this.SUBRULE3(this.additive)));
              });
            });
          },
        },
      ]);
    },
    (s, mark): A.SliceItem => {
      // An empty item (`x[]`, `x[0, ]`) consumed nothing: locate it at the token where it was
      // expected, or just after the last token at the end of the file.
      const next = this.LA(1);
      const span = this.consumed > mark ? this.spanFrom(mark) : Number.isFinite(next.startOffset) ? this.tokSpan(next) : this.lines.span(this.lastEnd, this.lastEnd);
      if (s.ellipsis) return { kind: 'ellipsis', span };
      if (!s.colon1) {
        if (s.start) return { kind: 'at', index: s.start, span };
        this.problems.push({ message: 'Expected an index or a slice between the brackets, such as x[0] or x[:, 1:].', span });
        return { kind: 'slice', span };
      }
      return { kind: 'slice', ...(s.start ? { start: s.start } : {}), ...(s.stop ? { stop: s.stop } : {}), ...(s.step ? { step: s.step } : {}), span };
    },
    // The three parts are all `additive`: which one failed follows from the colons seen.
    (s, _rule, value) => {
      if (s.colon2) s.step = value as A.Expr;
      else if (s.colon1) s.stop = value as A.Expr;
      else s.start = value as A.Expr;
    },
  );

  private number(t: IToken): A.Expr {
    return { kind: 'number', value: Number(t.image), raw: t.image, span: this.tokSpan(t) };
  }

  primary = this.def(
    'primary',
    () => ({
      tok: undefined as IToken | undefined,
      callOrName: undefined as A.Expr | undefined,
      parenOrTuple: undefined as A.Expr | undefined,
      list: undefined as A.Expr | undefined,
    }),
    (s) => {
      this.OR([
        { ALT: () => (s.tok = this.tok(this.CONSUME(T.NumberLit))) },
        { ALT: () => (s.tok = this.tok(this.CONSUME(T.StringLit))) },
        { ALT: () => (s.tok = this.tok(this.CONSUME(T.True))) },
        { ALT: () => (s.tok = this.tok(this.CONSUME(T.False))) },
        { ALT: () => (s.callOrName = this.SUBRULE(this.callOrName)) },
        { ALT: () => (s.parenOrTuple = this.SUBRULE(this.parenOrTuple)) },
        { ALT: () => (s.list = this.SUBRULE(this.list)) },
      ]);
    },
    (s, mark): A.Expr => {
      const t = s.tok;
      if (t) {
        if (t.tokenType === T.StringLit) return { kind: 'string', value: unquote(t.image), raw: t.image, span: this.spanFrom(mark) };
        if (t.tokenType === T.True) return { kind: 'bool', value: true, span: this.spanFrom(mark) };
        if (t.tokenType === T.False) return { kind: 'bool', value: false, span: this.spanFrom(mark) };
        return this.number(t);
      }
      return s.callOrName ?? s.parenOrTuple ?? s.list ?? this.error(this.spanFrom(mark));
    },
  );

  callOrName = this.def(
    'callOrName',
    () => ({ id: undefined as IToken | undefined, call: false, arg: [] as A.Arg[], rparen: undefined as IToken | undefined, settings: undefined as Settings | undefined }),
    (s) => {
      s.id = this.tok(this.CONSUME(T.Identifier));
      this.OPTION(() => {
        this.tok(this.CONSUME(T.LParen));
        s.call = true;
        this.MANY_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.arg.push(this.positionalAtomArg() ?? this.SUBRULE(this.arg)) });
        s.rparen = this.tok(this.CONSUME(T.RParen));
        this.OPTION2(() => (s.settings = this.SUBRULE(this.settings)));
      });
    },
    (s, mark): A.Expr => {
      const id = s.id;
      if (id && !s.call) return { kind: 'name', name: id.image, span: this.tokSpan(id) };
      const span = this.spanFrom(mark);
      if (!id) return this.error(span);
      // `slice`: the AST keeps an array of exactly its length (the one pushed into has room for 17).
      const call: A.CallExpr = { kind: 'call', callee: this.ident(id, () => span), args: s.arg.length ? s.arg.slice() : s.arg, span };
      if (s.settings) {
        call.settingsSpan = s.settings.span;
        call.settings = s.settings.groups;
        // The call's span covers the name and arguments only; settings are reported on their own spans.
        if (s.rparen) call.span = this.lines.span(span.start, s.rparen.startOffset + 1);
      }
      return call;
    },
  );

  arg = this.def(
    'arg',
    () => ({ id: undefined as IToken | undefined, orExpr: undefined as A.Expr | undefined }),
    (s) => {
      this.OPTION({
        GATE: () => this.LA(2).tokenType === T.Colon,
        DEF: () => {
          s.id = this.tok(this.CONSUME(T.Identifier));
          this.tok(this.CONSUME(T.Colon));
        },
      });
      // Not a pipeline: `conv2d(10, 5 |> relu` is far more often a missing ')' than a pipeline
      // argument, so the parser says so. A pipeline argument needs parentheses.
      s.orExpr = this.atom(T.Comma, T.RParen) ?? this.SUBRULE(this.orExpr);
    },
    (s, mark): A.Arg => {
      const value = s.orExpr;
      if (!s.id && value) {
        // A positional argument covers what its value covers: one span object for both.
        if (this.consumed > mark && value.span.start === this.starts[mark] && value.span.end === this.lastEnd) return { value, span: value.span };
        return { value, span: this.spanFrom(mark) };
      }
      const span = this.spanFrom(mark);
      return s.id ? { name: this.ident(s.id, () => span), value: value ?? this.error(span), span } : { value: value ?? this.error(span), span };
    },
  );

  settings = this.def(
    'settings',
    () => ({ settingGroup: [] as A.SettingGroup[] }),
    (s) => {
      this.tok(this.CONSUME(T.LCurly));
      this.MANY(() => s.settingGroup.push(this.SUBRULE(this.settingGroup)));
      this.tok(this.CONSUME(T.RCurly));
    },
    (s, mark): Settings => ({ groups: s.settingGroup, span: this.spanFrom(mark) }),
  );

  settingGroup = this.def(
    'settingGroup',
    () => ({ param: undefined as IToken | undefined, settingItem: [] as A.SettingGroup['items'] }),
    (s) => {
      s.param = this.tok(this.CONSUME(T.Identifier));
      this.tok(this.CONSUME(T.Colon));
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.settingItem.push(this.SUBRULE(this.settingItem)) });
      this.OPTION(() => this.tok(this.CONSUME(T.Semicolon)));
    },
    (s, mark): A.SettingGroup => {
      const span = this.spanFrom(mark);
      return { param: this.ident(s.param, () => span), items: s.settingItem, span };
    },
  );

  settingItem = this.def(
    'settingItem',
    () => ({ id: undefined as IToken | undefined, expression: undefined as A.Expr | undefined }),
    (s) => {
      s.id = this.tok(this.CONSUME(T.Identifier));
      s.expression = this.SUBRULE(this.expression);
    },
    (s, mark): A.SettingGroup['items'][number] => {
      const span = this.spanFrom(mark);
      return { key: this.ident(s.id, () => span), value: s.expression ?? this.error(span), span };
    },
  );

  parenOrTuple = this.def(
    'parenOrTuple',
    () => ({ expression: [] as A.Expr[] }),
    (s) => {
      this.tok(this.CONSUME(T.LParen));
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.expression.push(this.SUBRULE(this.expression)) });
      this.tok(this.CONSUME(T.RParen));
    },
    (s, mark): A.Expr => {
      const span = this.spanFrom(mark);
      const items = s.expression;
      if (items.length === 1) return { kind: 'paren', expr: items[0]!, span };
      if (items.length === 0) return this.error(span);
      return { kind: 'tuple', items, span };
    },
  );

  list = this.def(
    'list',
    () => ({ expression: [] as A.Expr[] }),
    (s) => {
      this.tok(this.CONSUME(T.LBracket));
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.sep() && s.expression.push(this.SUBRULE(this.expression)) });
      this.tok(this.CONSUME(T.RBracket));
    },
    (s, mark): A.Expr => ({ kind: 'list', items: s.expression, span: this.spanFrom(mark) }),
  );
}

interface StmtBlock {
  stmts: A.Stmt[];
  end: number;
}
const NO_BLOCK: StmtBlock = { stmts: [], end: 0 };

interface IndexSuffix {
  items: A.SliceItem[];
  end: number;
}

interface Settings {
  groups: A.SettingGroup[];
  span: SourceSpan;
}

export function unquote(raw: string): string {
  if (raw.length < 2) return '';
  return raw.slice(1, -1).replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
}

export const parser = new DlmParser();
