/**
 * Plugin discovery: only what the user names is loaded — the standard plugin, the `plugins` of the
 * dlm.config.json nearest to the .dlm file (or --config; without a file, the working directory's),
 * and every --plugin — by package name or by path.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dlm, EXTRAS_DIR, REPO_ROOT, tempDir } from './helpers.js';

const EXAMPLE_DIR = join(EXTRAS_DIR, 'examples');
const GOOD = join(REPO_ROOT, 'apps/cli/test/fixtures/plugins/good.mjs');
const USES_DOUBLE = 'model D {\n  input x: f32[batch, 3]\n  output y: f32[batch, 3]\n\n  y = x |> double\n}\n';

describe('plugin loading', () => {
  it('without a config or --plugin only the standard plugin is registered', async () => {
    const r = await dlm(['plugins', '--json']);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { plugins: { name: string }[]; layer: { name: string }[] };
    expect(listed.plugins.map((p) => p.name)).toEqual(['@dlm/plugin-std']);
    expect(listed.layer.map((l) => l.name)).not.toContain('swish');
  });

  it('by package name from the nearest dlm.config.json (found from the working directory)', async () => {
    const r = await dlm(['plugins'], EXAMPLE_DIR);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  dlm-plugin-extras  (from dlm.config.json: dlm-plugin-extras, API 1)');
    expect(r.stdout).toMatch(/^ {2}swish +dlm-plugin-extras +Swish activation/m);
    expect(r.stdout).toMatch(/^ {2}squeeze_excite +dlm-plugin-extras +Squeeze-and-excitation block/m);
    expect(r.stdout).toMatch(/^ {2}image_folder +dlm-plugin-extras +PNG images/m);
    expect(r.stdout).toMatch(/^ {2}lion +dlm-plugin-extras +Lion/m);
    expect(r.stdout).toMatch(/^ {2}max_norm +dlm-plugin-extras +Penalty/m);
    expect(r.stdout).toMatch(/^ {2}relu +@dlm\/plugin-std /m);
  });

  it('the config is found in a parent directory, and its relative paths are from the config’s folder', async () => {
    const dir = tempDir({
      'dlm.config.json': JSON.stringify({ plugins: ['./plugins/good.mjs'] }),
      'models/deep/d.dlm': USES_DOUBLE,
    });
    // A plugin file outside the repo cannot import @dlm/core by name, so re-export the fixture.
    tempWrite(dir, 'plugins/good.mjs', `export { default } from ${JSON.stringify(GOOD)};\n`);
    const r = await dlm(['check', 'd.dlm'], join(dir, 'models/deep'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('the config nearest to the .dlm file applies, wherever dlm runs (the file’s folder, not the working directory)', async () => {
    // From the repo root: examples/plugins/dlm-plugin-extras/examples/dlm.config.json names the plugin.
    const fromRoot = await dlm(['check', 'examples/plugins/dlm-plugin-extras/examples/stripes.dlm']);
    expect(fromRoot.stderr).toBe('');
    expect(fromRoot.code).toBe(0);
    // A config in the working directory does not apply to a file elsewhere that has none of its own.
    const elsewhere = tempDir({ 'd.dlm': USES_DOUBLE });
    const cwdWithConfig = tempDir({ 'dlm.config.json': JSON.stringify({ plugins: [GOOD] }) });
    const r = await dlm(['check', join(elsewhere, 'd.dlm')], cwdWithConfig);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[DLM2001]: Unknown layer 'double'");
    // Files under different configs, checked together, each get their own plugins.
    const withGood = tempDir({ 'dlm.config.json': JSON.stringify({ plugins: [GOOD] }), 'd.dlm': USES_DOUBLE });
    const both = await dlm(['check', join(withGood, 'd.dlm'), 'examples/plugins/dlm-plugin-extras/examples/stripes.dlm']);
    expect(both.stderr).toBe('');
    expect(both.code).toBe(0);
  });

  it('by package name with --plugin, and by path (package folder or module file) relative to the working directory', async () => {
    // A copy of the example outside any config, so only --plugin brings the plugin in.
    const plain = join(tempDir({ 'stripes.dlm': readFileSync(join(EXAMPLE_DIR, 'stripes.dlm'), 'utf8') }), 'stripes.dlm');
    const byName = await dlm(['summary', plain, '--plugin', 'dlm-plugin-extras']);
    expect(byName.stderr).toBe('');
    expect(byName.stdout).toContain('squeeze_excite_1   squeeze_excite   [batch, 8, 8, 8]      76');
    // A package folder, relative to the working directory ("." from inside the plugin's own package).
    const byDir = await dlm(['summary', plain, '--plugin', '.'], EXTRAS_DIR);
    expect(byDir.stderr).toBe('');
    expect(byDir.stdout).toBe(byName.stdout);
    const byPackageDir = await dlm(['summary', plain, '--plugin', './examples/plugins/dlm-plugin-extras']);
    expect(byPackageDir.stderr).toBe('');
    expect(byPackageDir.code).toBe(0);
    const dir = tempDir({ 'd.dlm': USES_DOUBLE });
    const byFile = await dlm(['check', 'd.dlm', '--plugin', GOOD], dir);
    expect(byFile.stderr).toBe('');
    expect(byFile.code).toBe(0);
  });

  it('config plugins and --plugin plugins add up; the same module named twice loads once; two modules with one name are DLM8001', async () => {
    const both = await dlm(['plugins', '--json', '--plugin', GOOD], EXAMPLE_DIR);
    expect(both.code).toBe(0);
    expect((JSON.parse(both.stdout) as { plugins: { name: string }[] }).plugins.map((p) => p.name)).toEqual(['@dlm/plugin-std', 'dlm-plugin-extras', 'good-plugin']);
    // `dlm plugins` says where each plugin came from.
    expect((JSON.parse(both.stdout) as { plugins: { origin: string }[] }).plugins.map((p) => p.origin)).toEqual([
      '@dlm/plugin-std (built in)',
      'dlm.config.json: dlm-plugin-extras',
      `--plugin ${GOOD}`,
    ]);
    // The config's plugin named again with --plugin is the same module: listed once, from the config.
    const again = await dlm(['plugins', '--json', '--plugin', 'dlm-plugin-extras'], EXAMPLE_DIR);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { plugins: { origin: string }[] }).plugins.map((p) => p.origin)).toEqual([
      '@dlm/plugin-std (built in)',
      'dlm.config.json: dlm-plugin-extras',
    ]);
    // A second module that declares the same plugin name is a conflict, naming both.
    const copy = join(dirname(GOOD), 'good-twin.mjs');
    const twice = await dlm(['plugins', '--plugin', GOOD, '--plugin', copy]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(
      `error[DLM8001]: plugin 'good-plugin' is registered twice: by plugin '--plugin ${GOOD}' and by plugin '--plugin ${copy}'.`,
    );
  });

  it('a use of a layer from a plugin nobody named is an unknown name, located in the file', async () => {
    const dir = tempDir({ 'd.dlm': USES_DOUBLE });
    const r = await dlm(['check', 'd.dlm'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[DLM2001]: Unknown layer 'double'");
    expect(r.stderr).toContain('--> d.dlm:5:12');
  });

  it('a broken config is a diagnostic: bad JSON, unknown keys (with a suggestion), plugins not a list', async () => {
    const bad = tempDir({ 'dlm.config.json': '{ "plugins": [ ', 'd.dlm': USES_DOUBLE });
    const r1 = await dlm(['check', 'd.dlm'], bad);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/error\[DLM9003\]/);
    const typo = tempDir({ 'dlm.config.json': JSON.stringify({ plugin: ['x'] }), 'd.dlm': USES_DOUBLE });
    const r2 = await dlm(['check', 'd.dlm'], typo);
    expect(r2.stderr).toMatch(/DLM9004[^\n]*'plugin'/);
    expect(r2.stderr).toContain("'plugins'");
    const notList = tempDir({ 'dlm.config.json': JSON.stringify({ plugins: 'dlm-plugin-extras' }), 'd.dlm': USES_DOUBLE });
    const r3 = await dlm(['check', 'd.dlm'], notList);
    expect(r3.stderr).toContain("'plugins' must be a list of package names or paths");
  });
});

function tempWrite(dir: string, p: string, text: string): void {
  mkdirSync(dirname(join(dir, p)), { recursive: true });
  writeFileSync(join(dir, p), text);
}
