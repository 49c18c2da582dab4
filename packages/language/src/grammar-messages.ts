/**
 * Wording of the parser's syntax errors (Chevrotain's message provider): what was expected, in
 * words a user knows, and which unclosed bracket a missing ')' or '}' belongs to.
 */
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { EOF } from './chevrotain.js';
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

/** Index of the token starting at `offset` (tokens are in source order), -1 when none does. */
function indexOfOffset(offset: number): number {
  let lo = 0;
  let hi = currentTokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = currentTokens[mid]!.startOffset;
    if (at === offset) return mid;
    if (at < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Finds the innermost unclosed bracket before `before` and what it belongs to (`conv2d(`, `model X {`). */
function openerContext(before: IToken | undefined): string | undefined {
  if (!before) return undefined;
  let idx = indexOfOffset(before.startOffset);
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

export const messageProvider: IParserErrorMessageProvider = {
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

export function setCurrentTokens(tokens: IToken[]): void {
  currentTokens = tokens;
}
