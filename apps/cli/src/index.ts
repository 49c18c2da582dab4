/** @dlm/cli: the `dlm` command, callable in-process for tests and tools. */
export { runCli, VERSION } from './cli.js';
export { type CliIO, CliError, processIO } from './io.js';
export { loadRegistry, readConfig, findConfig, type DlmConfig } from './plugins.js';
export { writeFileAtomic } from './files.js';
