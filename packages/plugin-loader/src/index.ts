/**
 * @dlm/plugin-loader, the pure part (browser-safe): builds a plugin registry from modules that were
 * already imported, and re-imports plugins by module URL (what data-parallel training workers do).
 * Finding dlm.config.json and resolving package names, folders and files is Node's work and lives in
 * "@dlm/plugin-loader/node", which ends by calling `registryFromModules` here, so every host
 * registers plugins the same way and reports the same diagnostics.
 */
import { diag, PluginRegistry, type Diagnostic, type DlmPlugin } from '@dlm/core';
import { stdPluginWithoutDatasets } from '@dlm/plugin-std/pure';

/** The origin shown for the standard plugin (`dlm plugins`, duplicate-name reports). */
export const STD_ORIGIN = '@dlm/plugin-std (built in)';

/** One plugin the user named, after an attempt to import it. */
export interface PluginModule {
  /** What the user wrote: a package name, a package folder or a module file. */
  spec: string;
  /** Where it was named, for DLM8007: "--plugin", or the config file's path. */
  namedIn: string;
  /** Shown by `dlm plugins` and in DLM8001: "--plugin x", "dlm.config.json: x". */
  origin: string;
  /** The URL it was imported from, when there is one (workers re-import it from there). */
  url?: string;
  /** The module's namespace object, when the import succeeded. */
  module?: Record<string, unknown>;
  /** First line of the import's error, when it failed. */
  error?: string;
}

export interface LoadedPlugins {
  registry: PluginRegistry;
  /** DLM8001–DLM8008 for every plugin that failed to load or register, in order. */
  diagnostics: Diagnostic[];
  /** Module URLs of the registered plugins, standard plugin first: pass them to `registryFromModuleUrls` in a worker. */
  modules: string[];
}

export interface RegistryOptions {
  /**
   * The standard plugin to register first; `false` for none. The default here is @dlm/plugin-std
   * without its datasets (they read files: browser-safe); "./node" passes the whole plugin.
   */
  std?: DlmPlugin | false;
  /** Where the standard plugin's module is, for `modules` (Node knows it; a browser bundle does not). */
  stdUrl?: string;
}

/** A module's plugin: its `default` export, else its `plugin` export. */
export function pluginOf(module: Record<string, unknown>): DlmPlugin | undefined {
  const plugin = module['default'] ?? module['plugin'];
  return plugin && typeof plugin === 'object' ? (plugin as DlmPlugin) : undefined;
}

/**
 * Registers the standard plugin, then each named plugin in order. Never throws: an import that
 * failed is DLM8007, a module without a plugin DLM8008, a registration problem whatever the
 * registry reports (DLM8001–DLM8004), a throw while registering DLM8002.
 */
export function registryFromModules(plugins: readonly PluginModule[], options: RegistryOptions = {}): LoadedPlugins {
  const registry = new PluginRegistry();
  const diagnostics: Diagnostic[] = [];
  const modules: string[] = [];
  const std = options.std ?? stdPluginWithoutDatasets;
  if (std) {
    diagnostics.push(...registry.register(std, STD_ORIGIN));
    if (options.stdUrl) modules.push(options.stdUrl);
  }
  for (const p of plugins) {
    if (!p.module) {
      const why = p.error ?? 'the module could not be imported';
      diagnostics.push(diag('DLM8007', [p.spec, p.namedIn, why]));
      registry.noteFailedPlugin(p.spec, why);
      continue;
    }
    const plugin = pluginOf(p.module);
    if (!plugin) {
      diagnostics.push(diag('DLM8008', [p.spec]));
      registry.noteFailedPlugin(p.spec, 'the module exports no plugin');
      continue;
    }
    try {
      const problems = registry.register(plugin, p.origin);
      diagnostics.push(...problems);
      if (p.url && !problems.some((d) => d.severity === 'error')) modules.push(p.url);
    } catch (e) {
      // register() guards the plugin's own code; this is the last line of defence (a Proxy, a throwing `name`).
      diagnostics.push(diag('DLM8002', [safeName(plugin, p.spec), e instanceof Error ? e.message : String(e)]));
    }
  }
  return { registry, diagnostics, modules };
}

/** Imports one module, turning a failure into its first line (DLM8007 states it). */
export async function importPlugin(url: string): Promise<{ module?: Record<string, unknown>; error?: string }> {
  try {
    // check-deps: computed-import the plugin loader imports the user's plugins by resolved URL
    return { module: (await import(/* @vite-ignore */ url)) as Record<string, unknown> };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

/**
 * Rebuilds a registry from module URLs alone, as `LoadedPlugins.modules` lists them (standard
 * plugin first). For worker threads, which cannot receive plugin objects: the main thread sends
 * `modules`, each worker calls this and checks `diagnostics` (empty when every plugin loaded).
 * Nothing is registered implicitly: the URLs say everything.
 */
/**
 * The URL of this module: a host hands it to code that must rebuild a registry where it cannot
 * import this package itself (the training worker threads of @dlm/train, which imports only core).
 */
export const PLUGIN_LOADER_MODULE: string = import.meta.url;

export async function registryFromModuleUrls(urls: readonly string[]): Promise<LoadedPlugins> {
  const plugins: PluginModule[] = [];
  for (const url of urls) plugins.push({ spec: url, namedIn: 'the plugin module list', origin: url, url, ...(await importPlugin(url)) });
  return registryFromModules(plugins, { std: false });
}

function safeName(plugin: DlmPlugin, fallback: string): string {
  try {
    return String(plugin.name ?? fallback);
  } catch {
    return fallback;
  }
}
