/** DLM1xxx: lexer and parser. Owned by @dlm/language. */
export const SYNTAX_MESSAGES = {
  DLM1001: { severity: 'error', message: "Unexpected character '{0}'." },
  DLM1002: { severity: 'error', message: '{0}' /* parser mismatch, wording from the message provider */ },
  DLM1003: { severity: 'error', message: "Unterminated block comment: '/*' has no matching '*/'." },
  DLM1004: { severity: 'error', message: 'Unterminated string: a string must end with \'"\' on the same line.' },
  DLM1005: { severity: 'error', message: 'Nesting too deep: more than {0} levels of brackets or blocks.' },
} as const;
