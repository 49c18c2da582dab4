/**
 * @dlm/language-server: the Language Server Protocol for .dlm files, a thin host over
 * @dlm/language-service (the features) and @dlm/plugin-loader (the registry). `startServer` wires a
 * connection; other editors' integrations use @dlm/language-service directly.
 */
export { startServer, uriToFile, type ServerOptions } from './server.js';
export { loadRegistry, findConfig, configFor, type LoadedRegistry } from './registry.js';
