/**
 * @dlm/language: the .dlm front end. Phases (each a pure function returning diagnostics, never
 * throwing for user errors): lex → parse (CST → AST with spans) → bind (names, constants,
 * blocks, imports) → compile (AST → IR through @dlm/core's GraphBuilder). `buildSymbols` turns a
 * bound file (`CompileOutput.main`) into the symbol table editor services read. `format` prints the
 * canonical layout of a file, comments preserved.
 */
export { compileFile, compileSource, CompileCache, INITIALIZER_KINDS, MAX_REPEAT, type CompileOptions, type CompileOutput } from './compile.js';
export { parse, MAX_NESTING } from './parse.js';
export { format } from './format.js';
export { importTarget, type ModuleInfo, type Decl as BoundDecl } from './bind.js';
export { buildSymbols, flatStmts, occurrenceAt, blockOf, type SymbolDecl, type SymbolKind, type Occurrence, type SymbolTable } from './symbols.js';
export { lex, type Comment, type LexResult } from './lexer.js';
export { ExpansionBudget, MAX_LAYERS, budgetFor, minLayers } from './budget.js';
export { findProjectRoot } from './project-root.js';
export type * from './ast.js';
