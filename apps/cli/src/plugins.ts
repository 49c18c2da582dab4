/**
 * Plugin discovery and loading. Only what the user names is loaded: the standard plugin, the
 * `plugins` list of the nearest dlm.config.json, and every `--plugin`. A plugin is an npm package
 * name or a path; its module exports the plugin as `default` or as `plugin`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diag, didYouMean, PluginRegistry, type Diagnostic, type DlmPlugin } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';

export interface DlmConfig {
  /** Absolute path of the config file, when one was found. */
  path?: string;
  plugins: string[];
  /** Directory for dataset downloads. */
  cacheDir?: string;
}

const CONFIG_NAME = 'dlm.config.json';
const CONFIG_KEYS = ['plugins', 'cacheDir', '$schema'];

/** Finds dlm.config.json in `start` or its parents. */
export function findConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const p = join(dir, CONFIG_NAME);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function readConfig(path: string | undefined): { config: DlmConfig; diagnostics: Diagnostic[] } {
  if (!path) return { config: { plugins: [] }, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { config: { path, plugins: [] }, diagnostics: [diag('DLM9003', [path, e instanceof Error ? e.message : String(e)])] };
  }
  const obj = (data ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!CONFIG_KEYS.includes(key)) diagnostics.push(diag('DLM9004', [key, path], undefined, [], didYouMean(key, CONFIG_KEYS)));
  }
  const plugins = obj['plugins'] ?? [];
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string')) {
    diagnostics.push(diag('DLM9003', [path, "'plugins' must be a list of package names or paths"]));
    return { config: { path, plugins: [] }, diagnostics };
  }
  const config: DlmConfig = { path, plugins: plugins as string[] };
  if (typeof obj['cacheDir'] === 'string') config.cacheDir = resolve(dirname(path), obj['cacheDir']);
  return { config, diagnostics };
}

/** Resolves a plugin spec (package name or path) relative to `baseDir` to an importable URL. */
function resolveSpec(spec: string, baseDir: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const p = resolve(baseDir, spec);
    if (!existsSync(p)) throw new Error(`no such file or directory: ${p}`);
    // A directory is a package: resolve its entry through its package.json. A package with
    // "exports" resolves by self-reference (its own name, from inside it), which honours the
    // export conditions; require.resolve(dir) alone would only read "main".
    const req = createRequire(join(p, 'noop.js'));
    const pkgFile = join(p, 'package.json');
    if (existsSync(pkgFile)) {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name?: unknown; exports?: unknown };
      if (typeof pkg.name === 'string' && pkg.exports !== undefined) return pathToFileURL(req.resolve(pkg.name)).href;
    }
    try {
      return pathToFileURL(req.resolve(p)).href;
    } catch {
      return pathToFileURL(p).href;
    }
  }
  const req = createRequire(join(baseDir, 'noop.js'));
  return pathToFileURL(req.resolve(spec)).href;
}

export interface LoadedRegistry {
  registry: PluginRegistry;
  diagnostics: Diagnostic[];
  /** Module URLs of the registered plugins, in order (data-parallel training workers re-load them). */
  modules: string[];
}

/** The module URL the standard plugin loads from here (import.meta.resolve where the runtime has it). */
function stdPluginUrl(): string {
  const meta = import.meta as ImportMeta & { resolve?: (spec: string) => string };
  if (typeof meta.resolve === 'function') return meta.resolve('@dlm/plugin-std');
  return pathToFileURL(createRequire(import.meta.url).resolve('@dlm/plugin-std')).href;
}

/** Builds the registry: std first, then config plugins, then command-line plugins. */
export async function loadRegistry(cwd: string, cliPlugins: string[], config: DlmConfig): Promise<LoadedRegistry> {
  const registry = new PluginRegistry();
  const diagnostics: Diagnostic[] = [];
  diagnostics.push(...registry.register(stdPlugin, '@dlm/plugin-std (built in)'));
  const modules = [stdPluginUrl()];
  const specs: { spec: string; base: string; from: string }[] = [
    ...config.plugins.map((spec) => ({ spec, base: dirname(config.path ?? join(cwd, CONFIG_NAME)), from: config.path ?? CONFIG_NAME })),
    ...cliPlugins.map((spec) => ({ spec, base: cwd, from: '--plugin' })),
  ];
  for (const { spec, base, from } of specs) {
    let mod: Record<string, unknown>;
    let url: string;
    try {
      url = resolveSpec(spec, base);
      // check-deps: computed-import the plugin loader imports the user's plugins by resolved path.
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      diagnostics.push(diag('DLM8007', [spec, from, why]));
      registry.noteFailedPlugin(spec, why);
      continue;
    }
    const plugin = (mod['default'] ?? mod['plugin']) as DlmPlugin | undefined;
    if (!plugin || typeof plugin !== 'object') {
      diagnostics.push(diag('DLM8008', [spec]));
      registry.noteFailedPlugin(spec, 'the module exports no plugin');
      continue;
    }
    try {
      // Where it came from, for `dlm plugins` and duplicate reports: "--plugin x" or "dlm.config.json: x".
      const origin = from === '--plugin' ? `--plugin ${spec}` : `${relative(cwd, from) || CONFIG_NAME}: ${spec}`;
      const problems = registry.register(plugin, origin);
      diagnostics.push(...problems);
      if (!problems.some((d) => d.severity === 'error')) modules.push(url);
    } catch (e) {
      diagnostics.push(diag('DLM8002', [String(plugin.name ?? spec), e instanceof Error ? e.message : String(e)]));
    }
  }
  return { registry, diagnostics, modules };
}
