/**
 * @dlm/plugin-loader/node: the one rule every Node host follows to find plugins. The standard
 * plugin first; then the `plugins` of the dlm.config.json nearest to the .dlm file (searched upward
 * from the file's folder, as tsconfig and prettier do; from the working directory when there is no
 * file), with relative paths taken from the config's folder; then every `--plugin`, relative to the
 * working directory. A plugin is a package name, a package folder or a module file; package names
 * and folders resolve through their package.json `exports` with Node's ESM rules (conditions
 * "node", "import" and any `--conditions` Node runs with).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diag, didYouMean, type Diagnostic } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { moduleResolve } from 'import-meta-resolve';
import { importPlugin, registryFromModules, type LoadedPlugins, type PluginModule, type RegistryOptions } from './index.js';

export * from './index.js';

export const CONFIG_NAME = 'dlm.config.json';
const CONFIG_KEYS = ['plugins', 'cacheDir', '$schema'];

export interface DlmConfig {
  /** Absolute path of the config file, when one was found. */
  path?: string;
  /** Plugin specs as written in the file. */
  plugins: string[];
  /** Directory for dataset downloads, absolute. */
  cacheDir?: string;
}

/** The dlm.config.json in `dir` or the nearest of its parents. */
export function findConfig(dir: string): string | undefined {
  let at = resolve(dir);
  for (;;) {
    const p = join(at, CONFIG_NAME);
    if (existsSync(p)) return p;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

/** The config that applies to `file` (a .dlm path), or to `cwd` when there is no file. */
export function configFor(file: string | undefined, cwd: string): string | undefined {
  return findConfig(file ? dirname(resolve(cwd, file)) : cwd);
}

/** Reads and checks a config file: bad JSON and a non-list `plugins` are DLM9003, unknown keys DLM9004. */
export function readConfig(path: string | undefined): { config: DlmConfig; diagnostics: Diagnostic[] } {
  if (!path) return { config: { plugins: [] }, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { config: { path, plugins: [] }, diagnostics: [diag('DLM9003', [path, e instanceof Error ? e.message : String(e)])] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { config: { path, plugins: [] }, diagnostics: [diag('DLM9003', [path, 'it must hold a JSON object'])] };
  }
  const obj = data as Record<string, unknown>;
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

/** The export conditions Node runs with: "node", "import" and every `--conditions`/`-C` it was given. */
function conditions(): Set<string> {
  const out = new Set(['node', 'import']);
  const args = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^(?:--conditions|-C)(?:=(.+))?$/.exec(a);
    if (m) out.add(m[1] ?? args[++i] ?? '');
  }
  out.delete('');
  return out;
}

/**
 * The module URL of a plugin spec, resolved from `baseDir`: a path (starting with "." or absolute)
 * is a module file or a package folder; anything else is a package name. Throws a one-line Error
 * when nothing is found.
 */
export function resolvePluginSpec(spec: string, baseDir: string): string {
  const from = pathToFileURL(join(baseDir, 'noop.js'));
  if (!(spec.startsWith('.') || isAbsolute(spec))) return moduleResolve(spec, from, conditions(), false).href;
  const p = resolve(baseDir, spec);
  if (!existsSync(p)) throw new Error(`no such file or directory: ${p}`);
  if (!statSync(p).isDirectory()) return pathToFileURL(p).href;
  // A folder is a package. With "exports", resolve it by its own name from inside (self-reference),
  // which applies its export conditions exactly as an installed package's; without, "main"/index.js.
  const pkgFile = join(p, 'package.json');
  const pkg = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as { name?: unknown; exports?: unknown }) : {};
  if (typeof pkg.name === 'string' && pkg.exports !== undefined) return moduleResolve(pkg.name, pathToFileURL(pkgFile), conditions(), false).href;
  return pathToFileURL(createRequire(from).resolve(p)).href;
}

/** Where the standard plugin's module is, seen from here (workers import it from there). */
export function stdPluginUrl(): string {
  return moduleResolve('@dlm/plugin-std', new URL(import.meta.url), conditions(), false).href;
}

export interface LoadOptions {
  /** The working directory: --plugin paths are relative to it, and the config is searched from it when there is no file. */
  cwd: string;
  /** The .dlm file worked on: the config nearest to it applies. */
  file?: string;
  /** An explicit config file (`--config`), instead of searching. */
  configPath?: string;
  /** Plugins named on the command line, after the config's. */
  extraPlugins?: readonly string[];
  /** The standard plugin (default: all of @dlm/plugin-std, datasets included); `false` for none. */
  std?: RegistryOptions['std'];
}

export interface NodeLoadedPlugins extends LoadedPlugins {
  config: DlmConfig;
  /** Problems of the config file itself (DLM9003/DLM9004); `diagnostics` holds the plugins'. */
  configDiagnostics: Diagnostic[];
}

/** Finds the config, imports every named plugin and builds the registry. Never throws for a user mistake. */
export async function loadPlugins(options: LoadOptions): Promise<NodeLoadedPlugins> {
  const { cwd } = options;
  const configPath = options.configPath !== undefined ? resolve(cwd, options.configPath) : configFor(options.file, cwd);
  const { config, diagnostics: configDiagnostics } = readConfig(configPath);
  const named: { spec: string; base: string; namedIn: string; origin: string }[] = [
    ...config.plugins.map((spec) => ({ spec, base: dirname(config.path!), namedIn: config.path!, origin: `${relative(cwd, config.path!) || CONFIG_NAME}: ${spec}` })),
    ...(options.extraPlugins ?? []).map((spec) => ({ spec, base: cwd, namedIn: '--plugin', origin: `--plugin ${spec}` })),
  ];
  const plugins: PluginModule[] = [];
  const seen = new Set<string>();
  for (const n of named) {
    let url: string;
    try {
      url = resolvePluginSpec(n.spec, n.base);
    } catch (e) {
      plugins.push({ spec: n.spec, namedIn: n.namedIn, origin: n.origin, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
      continue;
    }
    // The same module named twice (the config and --plugin, or two spellings of one path) is one
    // plugin, not a duplicate-name conflict (DLM8001): load it once.
    if (seen.has(url)) continue;
    seen.add(url);
    plugins.push({ spec: n.spec, namedIn: n.namedIn, origin: n.origin, url, ...(await importPlugin(url)) });
  }
  const loaded = registryFromModules(plugins, { stdUrl: stdPluginUrl(), std: options.std ?? stdPlugin });
  return { ...loaded, config, configDiagnostics };
}
