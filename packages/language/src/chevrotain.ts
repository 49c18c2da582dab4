/**
 * The parts of Chevrotain the language uses at run time, imported from this one module.
 *
 * Why: Chevrotain's package entry is ES modules that import lodash-es file by file, about 680
 * modules; loading them was ~0.4 s of every `dlm` start (`dlm check` of a small file took ~0.8 s).
 * The build (scripts/vendor-chevrotain.mjs) replaces this file in dist/ by a re-export of the
 * single-file ES module that Chevrotain itself publishes (lib/chevrotain.mjs, same version, same
 * code), which loads in ~0.03 s. Sources run through tsx or vitest keep the package entry.
 */
export { EOF, EmbeddedActionsParser, Lexer, createToken, isRecognitionException } from 'chevrotain';
