/**
 * @dlm/language-service: every editor feature as a pure function of an `Analysis` (one compile of
 * a document, the same call `dlm check` makes, plus the compiler's symbol table from
 * `@dlm/language`'s binder) and a position: diagnostics, hover, completion, signature help,
 * definition, references, highlight, rename, outline and formatting. Hosts convert positions and results: the language
 * server to LSP, the playground to CodeMirror.
 */
export { analyze, hover, declTypes, signature, wordAt, type SignatureResult, type Analysis, type HoverResult } from './analysis.js';
export { definition, highlights, outline, references, rename, renameLocations, type Highlight, type OutlineItem, type RenameResult } from './navigation.js';
export { complete, type CompletionEntry } from './completion.js';
export { format, CompileCache } from '@dlm/language';
export { buildSymbols, occurrenceAt, type SymbolDecl as Decl, type Occurrence, type SymbolTable } from '@dlm/language';
