/**
 * The plugin registry the server checks files against, built the way `dlm` builds it: the
 * standard plugin, then the `plugins` of the nearest dlm.config.json. A plugin that fails to load
 * is reported once (as a window message) and otherwise ignored, so editing still works.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginRegistry, type DlmPlugin } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';

export interface LoadedRegistry {
  registry: PluginRegistry;
  /** Human-readable problems (bad config, plugins that failed to load or register). */
  problems: string[];
  configPath?: string;
}

export function findConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const p = join(dir, 'dlm.config.json');
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export async function loadRegistry(dir: string | undefined): Promise<LoadedRegistry> {
  const registry = new PluginRegistry();
  const problems: string[] = registry.register(stdPlugin, '@dlm/plugin-std (built in)').map((d) => d.message);
  const configPath = dir ? findConfig(dir) : undefined;
  if (!configPath) return { registry, problems };
  let specs: unknown;
  try {
    specs = (JSON.parse(readFileSync(configPath, 'utf8')) as { plugins?: unknown }).plugins ?? [];
  } catch (e) {
    problems.push(`${configPath}: ${e instanceof Error ? e.message : String(e)}`);
    return { registry, problems, configPath };
  }
  if (!Array.isArray(specs)) return { registry, problems: [...problems, `${configPath}: 'plugins' must be a list`], configPath };
  for (const spec of specs) {
    if (typeof spec !== 'string') continue;
    try {
      const base = dirname(configPath);
      const target = spec.startsWith('.') || isAbsolute(spec) ? resolve(base, spec) : spec;
      const url = pathToFileURL(createRequire(join(base, 'noop.js')).resolve(target)).href;
      // check-deps: computed-import the plugin loader imports the user's plugins by resolved path.
      const mod = (await import(url)) as Record<string, unknown>;
      const plugin = (mod['default'] ?? mod['plugin']) as DlmPlugin | undefined;
      if (!plugin) problems.push(`plugin '${spec}' exports neither 'default' nor 'plugin'`);
      else problems.push(...registry.register(plugin, spec).map((d) => d.message));
    } catch (e) {
      problems.push(`plugin '${spec}' could not be loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  return { registry, problems, configPath };
}
