/** DLM1xxx: lexer and parser. Owned by @dlm/language. */
export const SYNTAX_MESSAGES = {
  DLM1001: { severity: 'error', message: "Unexpected character '{0}'." },
  DLM1002: { severity: 'error', message: '{0}' /* parser mismatch, wording from the message provider */ },
  DLM1003: { severity: 'error', message: "Unterminated block comment: '/*' has no matching '*/'." },
  DLM1004: { severity: 'error', message: 'Unterminated string: a string must end with \'"\' on the same line.' },
  DLM1005: { severity: 'error', message: 'Nesting too deep: more than {0} levels of brackets or blocks.' },
  DLM1020: { severity: 'error', message: "Unexpected characters '{0}' ({1} characters the language does not use)." },
  DLM1021: { severity: 'error', message: "'{0}' is not a number: a number has at most one decimal point." },
  DLM1022: { severity: 'error', message: 'The integer {0} is too large to be exact: integers must be at most {1} (2^53 − 1).' },
  DLM1023: { severity: 'error', message: "'{0}' is a reserved word and cannot name a value; choose another name, such as '{0}_'." },
  DLM1024: { severity: 'error', message: 'Too many syntax errors ({0}): parsing stopped here, and the rest of the file was not checked.' },
  DLM1025: { severity: 'error', message: 'Too many unexpected characters: {0} more from here to line {1} are not listed one by one.' },
} as const;
