/**
 * The one loading rule, on real files in a temporary folder: the dlm.config.json nearest to the
 * .dlm file, then --plugin; package names, package folders (through `exports`, ESM-only included)
 * and module files; every failure a diagnostic; and workers rebuilding the registry from URLs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { configFor, findConfig, loadPlugins, readConfig, registryFromModules, registryFromModuleUrls, resolvePluginSpec, STD_ORIGIN } from '../src/node.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-loader-test-'));
  temps.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

/** A plugin module with one layer, written without importing @dlm/core (it lives outside the workspace). */
const pluginSource = (name: string, layer: string) => `export default {
  name: ${JSON.stringify(name)},
  apiVersion: ${PLUGIN_API_VERSION},
  layers: [{ name: ${JSON.stringify(layer)}, family: 'activation', doc: 'Doubles.', args: [],
    expand: (ctx, [x]) => ctx.op('Add', [x, x]), shape: ([x]) => [x] }],
};
`;

/**
 * A project: an ESM-only package in node_modules whose "exports" has only an "import" condition
 * and an entry that is not index.js (require.resolve finds nothing there), a package folder in
 * plugins/, a module file, and configs at two levels.
 */
function project(): string {
  return tree({
    'node_modules/esm-only-plugin/package.json': JSON.stringify({ name: 'esm-only-plugin', type: 'module', exports: { '.': { import: './lib/entry.js' } } }),
    'node_modules/esm-only-plugin/lib/entry.js': pluginSource('esm-only-plugin', 'esm_double'),
    'plugins/folder-plugin/package.json': JSON.stringify({ name: 'folder-plugin', type: 'module', main: './wrong.js', exports: { '.': { import: './src/plugin.js' } } }),
    'plugins/folder-plugin/src/plugin.js': pluginSource('folder-plugin', 'folder_double'),
    'plugins/file-plugin.mjs': pluginSource('file-plugin', 'file_double'),
    'plugins/no-export.mjs': 'export const nothing = 1;\n',
    'dlm.config.json': JSON.stringify({ plugins: ['esm-only-plugin'] }),
    'models/a.dlm': '',
    'models/nested/dlm.config.json': JSON.stringify({ plugins: ['../../plugins/folder-plugin', '../../plugins/file-plugin.mjs'] }),
    'models/nested/deeper/b.dlm': '',
  });
}

describe('finding the config', () => {
  it('is the dlm.config.json nearest to the file, searched upward from its folder', () => {
    const dir = project();
    expect(configFor('models/a.dlm', dir)).toBe(join(dir, 'dlm.config.json'));
    expect(configFor(join(dir, 'models/nested/deeper/b.dlm'), '/')).toBe(join(dir, 'models/nested/dlm.config.json'));
    // Without a file, from the working directory.
    expect(configFor(undefined, join(dir, 'models/nested/deeper'))).toBe(join(dir, 'models/nested/dlm.config.json'));
    expect(findConfig(join(dir, 'plugins'))).toBe(join(dir, 'dlm.config.json'));
  });

  it('a broken config is a diagnostic: bad JSON, not an object, unknown keys with a suggestion, plugins not a list', () => {
    const dir = tree({ 'bad.json': '{ "plugins": [', 'array.json': '[]', 'typo.json': '{"plugin": []}', 'str.json': '{"plugins": "x"}', 'ok.json': '{"plugins": ["x"], "cacheDir": "c"}' });
    expect(readConfig(join(dir, 'bad.json')).diagnostics.map((d) => d.code)).toEqual(['DLM9003']);
    expect(readConfig(join(dir, 'array.json')).diagnostics[0]!.message).toContain('it must hold a JSON object');
    const typo = readConfig(join(dir, 'typo.json')).diagnostics;
    expect(typo.map((d) => d.code)).toEqual(['DLM9004']);
    expect(JSON.stringify(typo[0])).toContain("'plugins'");
    expect(readConfig(join(dir, 'str.json')).diagnostics[0]!.message).toContain("'plugins' must be a list of package names or paths");
    expect(readConfig(join(dir, 'ok.json'))).toEqual({ config: { path: join(dir, 'ok.json'), plugins: ['x'], cacheDir: join(dir, 'c') }, diagnostics: [] });
  });
});

describe('resolving a plugin spec', () => {
  it('resolves package names and package folders through "exports", and files as themselves', () => {
    const dir = project();
    expect(fileURLToPath(resolvePluginSpec('esm-only-plugin', join(dir, 'models')))).toBe(join(dir, 'node_modules/esm-only-plugin/lib/entry.js'));
    expect(fileURLToPath(resolvePluginSpec('./plugins/folder-plugin', dir))).toBe(join(dir, 'plugins/folder-plugin/src/plugin.js'));
    expect(fileURLToPath(resolvePluginSpec(join(dir, 'plugins/file-plugin.mjs'), '/'))).toBe(join(dir, 'plugins/file-plugin.mjs'));
  });

  it('a folder without "exports" resolves through "main"', () => {
    const dir = tree({ 'p/package.json': JSON.stringify({ name: 'p', main: 'main.js' }), 'p/main.js': '' });
    expect(fileURLToPath(resolvePluginSpec('./p', dir))).toBe(join(dir, 'p/main.js'));
  });

  it('throws one line naming what is missing', () => {
    const dir = tree({});
    expect(() => resolvePluginSpec('./nope.mjs', dir)).toThrow(`no such file or directory: ${join(dir, 'nope.mjs')}`);
    expect(() => resolvePluginSpec('dlm-plugin-does-not-exist', dir)).toThrow(/Cannot find package 'dlm-plugin-does-not-exist'/);
  });
});

describe('loading', () => {
  it('standard plugin, then the config nearest to the file (paths from its folder), then --plugin (paths from the working directory)', async () => {
    const dir = project();
    const loaded = await loadPlugins({ cwd: dir, file: 'models/nested/deeper/b.dlm', extraPlugins: ['./plugins/no-export.mjs'] });
    expect(loaded.configDiagnostics).toEqual([]);
    expect(loaded.config.path).toBe(join(dir, 'models/nested/dlm.config.json'));
    expect(loaded.registry.plugins().map((p) => [p.name, p.origin])).toEqual([
      ['@dlm/plugin-std', STD_ORIGIN],
      ['folder-plugin', 'models/nested/dlm.config.json: ../../plugins/folder-plugin'],
      ['file-plugin', 'models/nested/dlm.config.json: ../../plugins/file-plugin.mjs'],
    ]);
    expect(loaded.registry.get('layer', 'file_double')?.plugin).toBe('file-plugin');
    expect(loaded.registry.get('dataset', 'mnist')?.plugin).toBe('@dlm/plugin-std');
    expect(loaded.registry.get('layer', 'esm_double')).toBeUndefined();
    expect(loaded.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['DLM8008', "Module './plugins/no-export.mjs' does not export a dlm plugin: export it as 'default' or as 'plugin'."],
    ]);
    // Standard plugin first, then each registered plugin's module: what workers re-import.
    expect(loaded.modules.map((u) => fileURLToPath(u))).toEqual([
      expect.stringMatching(/plugin-std[/\\](src[/\\]index\.ts|dist[/\\]index\.js)$/),
      join(dir, 'plugins/folder-plugin/src/plugin.js'),
      join(dir, 'plugins/file-plugin.mjs'),
    ]);
  });

  it('a plugin that cannot be found is DLM8007 naming the spec and where it was named; the rest still loads', async () => {
    const dir = project();
    const loaded = await loadPlugins({ cwd: dir, file: 'models/a.dlm', extraPlugins: ['./missing.mjs'] });
    expect(loaded.registry.get('layer', 'esm_double')?.plugin).toBe('esm-only-plugin');
    expect(loaded.diagnostics.map((d) => d.message)).toEqual([`Cannot load plugin './missing.mjs' (named in --plugin): no such file or directory: ${join(dir, 'missing.mjs')}`]);
    expect(loaded.registry.failedPlugins().map((p) => p.name)).toEqual(['./missing.mjs']);
  });

  it('the module the config already names, given again with --plugin (another spelling of the same path), loads once: no DLM8001', async () => {
    const dir = project();
    const loaded = await loadPlugins({ cwd: join(dir, 'models'), file: 'nested/deeper/b.dlm', extraPlugins: ['../plugins/file-plugin.mjs', './../plugins/./file-plugin.mjs', '../plugins/folder-plugin'] });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.registry.plugins().map((p) => [p.name, p.origin])).toEqual([
      ['@dlm/plugin-std', STD_ORIGIN],
      ['folder-plugin', 'nested/dlm.config.json: ../../plugins/folder-plugin'],
      ['file-plugin', 'nested/dlm.config.json: ../../plugins/file-plugin.mjs'],
    ]);
    expect(loaded.modules).toHaveLength(3);
    // Two different modules that declare the same plugin are still DLM8001.
    const twin = tree({ 'a.mjs': pluginSource('twin', 'twin_a'), 'b.mjs': pluginSource('twin', 'twin_b') });
    const clash = await loadPlugins({ cwd: twin, extraPlugins: ['./a.mjs', './b.mjs'] });
    expect(clash.diagnostics.map((d) => d.code)).toEqual(['DLM8001']);
  });

  it('--config replaces the search; a broken config is reported and loads nothing from it', async () => {
    const dir = tree({ 'alt.json': '{"plugins": 3}', 'dlm.config.json': '{"plugins": ["./never.mjs"]}' });
    const loaded = await loadPlugins({ cwd: dir, file: 'x.dlm', configPath: 'alt.json' });
    expect(loaded.configDiagnostics.map((d) => d.code)).toEqual(['DLM9003']);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.registry.plugins().map((p) => p.name)).toEqual(['@dlm/plugin-std']);
  });
});

describe('the pure part', () => {
  it('registers already-imported modules: std first (or another std, or none), failures as diagnostics', () => {
    const good = { default: { ...stdPlugin, name: 'copy', layers: [] , losses: [], metrics: [], optimizers: [], schedules: [], regularizers: [], datasets: [] } };
    const r = registryFromModules([
      { spec: 'a', namedIn: '--plugin', origin: '--plugin a', error: 'boom' },
      { spec: 'b', namedIn: '--plugin', origin: '--plugin b', module: { nothing: 1 } },
      { spec: 'c', namedIn: '--plugin', origin: '--plugin c', module: good, url: 'file:///c.js' },
    ], { stdUrl: 'file:///std.js' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM8007', 'DLM8008']);
    expect(r.registry.plugins().map((p) => p.name)).toEqual(['@dlm/plugin-std', 'copy']);
    expect(r.modules).toEqual(['file:///std.js', 'file:///c.js']);
    const none = registryFromModules([], { std: false });
    expect(none.registry.plugins()).toEqual([]);
    // The pure default is the standard plugin without its (file-reading) datasets; Node's loader passes them.
    const pure = registryFromModules([]);
    expect(pure.registry.names('dataset')).toEqual([]);
    expect(pure.registry.names('layer')).toEqual(registryFromModules([], { std: stdPlugin }).registry.names('layer'));
    expect(registryFromModules([], { std: stdPlugin }).registry.names('dataset')).toContain('mnist');
  });

  it('a worker rebuilds the same registry from the module URLs alone', async () => {
    const dir = project();
    const main = await loadPlugins({ cwd: dir, file: 'models/nested/deeper/b.dlm' });
    const worker = await registryFromModuleUrls(main.modules);
    expect(worker.diagnostics).toEqual([]);
    expect(worker.modules).toEqual(main.modules);
    for (const kind of ['layer', 'loss', 'optimizer', 'dataset'] as const) expect(worker.registry.names(kind)).toEqual(main.registry.names(kind));
    const broken = await registryFromModuleUrls([...main.modules, 'file:///nowhere/plugin.js']);
    expect(broken.diagnostics.map((d) => d.code)).toEqual(['DLM8007']);
  });
});
