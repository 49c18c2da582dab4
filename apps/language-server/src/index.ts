/**
 * @dlm/language-server: the Language Server Protocol for .dlm files. `startServer` wires a
 * connection; the analysis functions are exported for other editors' integrations (the playground
 * uses the same diagnostics through @dlm/language directly).
 */
export { startServer, uriToFile, type ServerOptions } from './server.js';
export { analyze, complete, definition, hover, outline, rename, renameLocations, declTypes, signature, type SignatureResult, type Analysis, type CompletionEntry, type OutlineItem, type HoverResult } from './analysis.js';
export { buildSymbols, occurrenceAt, type Decl, type Occurrence, type SymbolTable } from './symbols.js';
export { loadRegistry, findConfig, configFor, type LoadedRegistry } from './registry.js';
