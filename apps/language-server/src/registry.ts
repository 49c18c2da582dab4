/**
 * The plugin registry the server checks a file against, built by @dlm/plugin-loader exactly as
 * `dlm` builds it: the standard plugin, then the `plugins` of the dlm.config.json nearest to the
 * file. A plugin that fails to load is reported (as a window message) and otherwise ignored, so
 * editing still works.
 */
import { dirname } from 'node:path';
import type { PluginRegistry } from '@dlm/core';
import { loadPlugins, registryFromModules } from '@dlm/plugin-loader/node';
import { stdPlugin } from '@dlm/plugin-std';

export { findConfig, configFor } from '@dlm/plugin-loader/node';

export interface LoadedRegistry {
  registry: PluginRegistry;
  /** Human-readable problems (bad config, plugins that failed to load or register). */
  problems: string[];
  configPath?: string;
}

/** The registry for `file` (an absolute path; anything else, e.g. an untitled document, gets the standard plugin only). */
export async function loadRegistry(file: string | undefined): Promise<LoadedRegistry> {
  if (!file) {
    const std = registryFromModules([], { std: stdPlugin });
    return { registry: std.registry, problems: std.diagnostics.map((d) => d.message) };
  }
  const loaded = await loadPlugins({ cwd: dirname(file), file });
  const problems = [...loaded.configDiagnostics, ...loaded.diagnostics].map((d) => d.message);
  return { registry: loaded.registry, problems, ...(loaded.config.path ? { configPath: loaded.config.path } : {}) };
}
