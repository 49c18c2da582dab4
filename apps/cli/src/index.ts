/** @dlm/cli: the `dlm` command, callable in-process for tests and tools. */
export { runCli, VERSION } from './cli.js';
export { type CliIO, CliError, processIO } from './io.js';
export { readConfig, findConfig, configFor, type DlmConfig } from '@dlm/plugin-loader/node';
export { writeFileAtomic } from './files.js';
