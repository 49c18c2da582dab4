/**
 * The .dlm grammar (Chevrotain CstParser). docs/language.md has the same grammar in EBNF; keep
 * the two in step. The parser instance is built once and reused (Chevrotain's recommendation).
 */
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './lexer.js';

/** Words the message provider uses for rules in "expected …" messages. */
export const RULE_DESCRIPTIONS: Record<string, string> = {
  module: "a declaration (import, let, model, block or train)",
  statement: "a statement (input, output, let, if, for, or name = …)",
  bodyStmt: "a statement (let, if, for, or name = …)",
  sliceItem: "an index or a slice (i, a:b, a:b:step, :, ...)",
  primary: 'an expression',
  stage: 'a layer call, a block call or repeat',
  repeatCount: 'a repeat count',
  trainEntry: 'a value',
  settingGroup: 'a parameter setting such as weight: init he_normal',
};

/** Token sequence of the current parse, used by the message provider to find context. */
let currentTokens: IToken[] = [];

function describeToken(t: IToken | undefined): string {
  if (!t || t.tokenType === EOF) return 'the end of the file';
  if (t.tokenType === T.Identifier) return `'${t.image}'`;
  if (t.tokenType === T.NumberLit) return `the number ${t.image}`;
  if (t.tokenType === T.StringLit) return `the string ${t.image}`;
  return `'${t.image}'`;
}

function describeType(t: TokenType): string {
  if (t === T.Identifier) return 'a name';
  if (t === EOF) return 'the end of the file';
  return t.LABEL ?? t.name;
}

/** Finds the innermost unclosed bracket before `before` and what it belongs to (`conv2d(`, `model X {`). */
function openerContext(before: IToken | undefined): string | undefined {
  if (!before) return undefined;
  let idx = currentTokens.findIndex((t) => t.startOffset === before.startOffset);
  if (idx < 0) return undefined;
  let depth = 0;
  for (; idx >= 0; idx--) {
    const tt = currentTokens[idx]!.tokenType;
    if (tt === T.RParen || tt === T.RBracket || tt === T.RCurly) depth++;
    else if (tt === T.LParen || tt === T.LBracket || tt === T.LCurly) {
      if (depth > 0) {
        depth--;
        continue;
      }
      const prev = currentTokens[idx - 1];
      const prev2 = currentTokens[idx - 2];
      if (tt === T.LParen) {
        if (prev?.tokenType === T.Identifier) {
          if (prev2?.tokenType === T.Block) return `the parameters of block ${prev.image}`;
          return `the arguments of ${prev.image}`;
        }
        return 'the parenthesis';
      }
      if (tt === T.LBracket) return prev?.tokenType === T.Identifier ? `the shape ${prev.image}[…]` : 'the list';
      if (prev?.tokenType === T.Identifier && prev2 && [T.Model, T.Train].includes(prev2.tokenType)) {
        return `the body of ${prev2.image} ${prev.image}`;
      }
      if (prev?.tokenType === T.RParen) return 'the braces';
      return 'the block';
    }
  }
  return undefined;
}

const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    if (expected === T.LCurly && ruleName === 'repeatExpr' && actual.tokenType !== T.As) {
      return `Expected '{' after the repeat count, found ${describeToken(actual)}; a computed count needs parentheses: repeat (n - 1) { … }.`;
    }
    if (expected === EOF) return `Unexpected ${describeToken(actual)}: expected ${RULE_DESCRIPTIONS['module']}.`;
    let where = '';
    if (expected === T.RParen || expected === T.RBracket || expected === T.RCurly) {
      const ctx = openerContext(previous);
      if (ctx) where = expected === T.RCurly ? ` to close ${ctx}` : ` after ${ctx}`;
    } else if (previous && previous.tokenType !== EOF && previous.image) {
      where = ` after '${previous.image}'`;
    }
    return `Expected ${describeType(expected)}${where}, found ${describeToken(actual)}.`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `Unexpected ${describeToken(firstRedundant)}: expected ${RULE_DESCRIPTIONS['module']}.`;
  },
  buildNoViableAltMessage({ actual, ruleName, previous }) {
    const what = RULE_DESCRIPTIONS[ruleName] ?? 'something else';
    const after = previous && previous.image ? ` after '${previous.image}'` : '';
    return `Expected ${what}${after}, found ${describeToken(actual[0])}.`;
  },
  buildEarlyExitMessage({ actual, ruleName, previous }) {
    const what = RULE_DESCRIPTIONS[ruleName] ?? 'something else';
    const after = previous && previous.image ? ` after '${previous.image}'` : '';
    return `Expected ${what}${after}, found ${describeToken(actual[0])}.`;
  },
};

class DlmParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: 'full', errorMessageProvider: messageProvider, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  module = this.RULE('module', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.letDecl) },
        { ALT: () => this.SUBRULE(this.modelDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.SUBRULE(this.trainDecl) },
      ]);
    });
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit);
  });

  letDecl = this.RULE('letDecl', () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.blockParam) });
    this.CONSUME(T.RParen);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  blockParam = this.RULE('blockParam', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME2(T.Identifier, { LABEL: 'type' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression);
    });
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.portStmt) },
      { ALT: () => this.SUBRULE(this.letDecl) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
    ]);
  });

  /** `if cond { … } else if cond { … } else { … }`: chosen when compiling. */
  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.orExpr);
    this.SUBRULE(this.stmtBlock);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([{ ALT: () => this.SUBRULE(this.ifStmt) }, { ALT: () => this.SUBRULE2(this.stmtBlock) }]);
    });
  });

  /** `for c in [64, "M"] { … }` or `for i in 0..n { … }`: unrolled when compiling. */
  forStmt = this.RULE('forStmt', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.additive);
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE2(this.additive);
    });
    this.SUBRULE(this.stmtBlock);
  });

  stmtBlock = this.RULE('stmtBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  portStmt = this.RULE('portStmt', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Input) }, { ALT: () => this.CONSUME(T.Output) }]);
    this.CONSUME(T.Identifier);
    this.OPTION({
      // The ':' is required; accepting its absence (`input x f32[…]`) lets the parser say exactly that.
      GATE: () => this.LA(1).tokenType === T.Colon || (this.LA(1).tokenType === T.Identifier && this.LA(2).tokenType === T.LBracket),
      DEF: () => {
        this.OPTION2(() => this.CONSUME(T.Colon));
        this.SUBRULE(this.tensorType);
      },
    });
    // `output y: f32[batch, 10] = expression` declares and assigns at once.
    this.OPTION3(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression);
    });
  });

  tensorType = this.RULE('tensorType', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RBracket);
  });

  assignStmt = this.RULE('assignStmt', () => {
    this.CONSUME(T.Identifier);
    // `q, k, v = …` destructures the outputs of a multi-output layer or block.
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier);
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  trainDecl = this.RULE('trainDecl', () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.trainEntry));
    this.CONSUME(T.RCurly);
  });

  trainEntry = this.RULE('trainEntry', () => {
    this.CONSUME(T.Identifier);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
  });

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.orExpr);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE(this.stage);
    });
  });

  stage = this.RULE('stage', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.repeatExpr) }, { ALT: () => this.SUBRULE(this.additive) }]);
  });

  repeatExpr = this.RULE('repeatExpr', () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.repeatCount);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Identifier);
    });
    this.CONSUME(T.LCurly);
    this.SUBRULE(this.stage);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE2(this.stage);
    });
    this.CONSUME(T.RCurly);
  });

  repeatCount = this.RULE('repeatCount', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.SUBRULE(this.parenOrTuple) },
    ]);
  });

  orExpr = this.RULE('orExpr', () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpr);
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.notExpr);
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.MANY(() => this.CONSUME(T.Not));
    this.SUBRULE(this.comparison);
  });

  /** One comparison, not a chain: `a < b < c` is an error rather than Python's surprise. */
  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.additive);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.EqEq) },
        { ALT: () => this.CONSUME(T.NotEq) },
        { ALT: () => this.CONSUME(T.LessEq) },
        { ALT: () => this.CONSUME(T.GreaterEq) },
        { ALT: () => this.CONSUME(T.Less) },
        { ALT: () => this.CONSUME(T.Greater) },
      ]);
      this.SUBRULE2(this.additive);
    });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.Div) },
        { ALT: () => this.CONSUME(T.Percent) },
        { ALT: () => this.CONSUME(T.At) },
      ]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.MANY(() => this.CONSUME(T.Minus));
    this.SUBRULE(this.primary);
    // Indexing and slicing: x[:, -1], x[..., 0:64], x[:, ::2].
    this.MANY2(() => this.SUBRULE(this.indexSuffix));
  });

  indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(T.LBracket);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.sliceItem) });
    this.CONSUME(T.RBracket);
  });

  /** `...`, `i`, or `start:stop:step` with every part optional. */
  sliceItem = this.RULE('sliceItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ellipsis) },
      {
        ALT: () => {
          this.OPTION(() => this.SUBRULE(this.additive, { LABEL: 'start' }));
          this.OPTION2(() => {
            this.CONSUME(T.Colon, { LABEL: 'colon1' });
            this.OPTION3(() => this.SUBRULE2(this.additive, { LABEL: 'stop' }));
            this.OPTION4(() => {
              this.CONSUME2(T.Colon, { LABEL: 'colon2' });
              this.OPTION5(() => this.SUBRULE3(this.additive, { LABEL: 'step' }));
            });
          });
        },
      },
    ]);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.callOrName) },
      { ALT: () => this.SUBRULE(this.parenOrTuple) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  callOrName = this.RULE('callOrName', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
      this.CONSUME(T.RParen);
      this.OPTION2(() => this.SUBRULE(this.settings));
    });
  });

  arg = this.RULE('arg', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.CONSUME(T.Identifier);
        this.CONSUME(T.Colon);
      },
    });
    // Not a pipeline: `conv2d(10, 5 |> relu` is far more often a missing ')' than a pipeline
    // argument, so the parser says so. A pipeline argument needs parentheses.
    this.SUBRULE(this.orExpr);
  });

  settings = this.RULE('settings', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.settingGroup));
    this.CONSUME(T.RCurly);
  });

  settingGroup = this.RULE('settingGroup', () => {
    this.CONSUME(T.Identifier, { LABEL: 'param' });
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.settingItem) });
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  settingItem = this.RULE('settingItem', () => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.expression);
  });

  parenOrTuple = this.RULE('parenOrTuple', () => {
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RParen);
  });

  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RBracket);
  });
}

export const parser = new DlmParser();

export function setCurrentTokens(tokens: IToken[]): void {
  currentTokens = tokens;
}
