/**
 * A reserved word used as a value name (`model = x |> relu`, `let train = 3`) is one clear
 * diagnostic. The token is then read as a plain name, at its definition and at its later uses,
 * so the parser sees a well-formed program and raises no follow-on errors.
 */
import type { IToken, TokenType } from 'chevrotain';
import type { DiagnosticBag, LineMap } from '@dlm/core';
import * as T from './lexer.js';

/** Keywords that can never start a value; `true`, `false`, `not` and `repeat` are left alone (they start values or stages). */
const RESERVED: ReadonlySet<TokenType> = new Set([T.Model, T.Block, T.Train, T.Let, T.Input, T.Output, T.Import, T.As, T.Div, T.If, T.Else, T.For, T.In, T.And, T.Or]);
/** Tokens after which a definition's name comes. */
const DECLARES: ReadonlySet<TokenType> = new Set([T.Let, T.Input, T.Output]);
/** Tokens after which a value (so a use of the name) comes. */
const BEFORE_VALUE: ReadonlySet<TokenType> = new Set([T.Equals, T.Pipe, T.LParen, T.LBracket, T.Comma, T.Plus, T.Star, T.Slash, T.Percent]);
/** Tokens that end a statement, after which a new statement may start. */
const ENDS_STATEMENT: ReadonlySet<TokenType> = new Set([T.LCurly, T.RCurly, T.Semicolon]);

export function readReservedAsNames(tokens: IToken[], lines: LineMap, bag: DiagnosticBag): IToken[] {
  const defined = new Set<string>();
  const asName = (t: IToken): IToken => ({ ...t, tokenType: T.Identifier, tokenTypeIdx: T.Identifier.tokenTypeIdx! });
  let out: IToken[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!RESERVED.has(t.tokenType)) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const startsStatement = !prev || ENDS_STATEMENT.has(prev.tokenType) || (prev.endLine ?? 0) < (t.startLine ?? 0);
    const isDefinition = (prev !== undefined && DECLARES.has(prev.tokenType)) || (startsStatement && next?.tokenType === T.Equals);
    if (isDefinition) {
      bag.report('DLM1023', [t.image], lines.span(t.startOffset, t.startOffset + t.image.length));
      defined.add(t.image);
    } else if (!(defined.has(t.image) && prev && BEFORE_VALUE.has(prev.tokenType))) continue;
    out ??= [...tokens];
    out[i] = asName(t);
  }
  return out ?? tokens;
}
