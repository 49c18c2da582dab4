/**
 * Broken plugins (test/fixtures/plugins/*.mjs) never crash dlm: each gets a diagnostic with its
 * code that names the plugin, and layer failures are located at the .dlm call that used the layer.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticBag, GraphBuilder, PLUGIN_API_VERSION, PluginRegistry, type DlmPlugin } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { dlm, expectGolden, PLUGIN_FIXTURES, REPO_ROOT } from './helpers.js';

const fixture = (name: string) => `./apps/cli/test/fixtures/plugins/${name}.mjs`;

/** No stack trace and no "internal error" in anything dlm printed. */
function expectNoCrash(r: { code: number; stdout: string; stderr: string }): void {
  expect(r.code).not.toBe(70);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at .*\(/);
}

describe('loading a broken plugin', () => {
  it('a module that throws on import: DLM8007 naming the spec and where it was named', async () => {
    const r = await dlm(['plugins', '--plugin', fixture('throws-on-import')]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error[DLM8007]: Cannot load plugin '${fixture('throws-on-import')}' (named in --plugin): cannot find my native binding (throws-on-import)`,
    );
  });

  it('a plugin whose `layers` getter throws during registration: DLM8002, and registration does not throw', async () => {
    const r = await dlm(['plugins', '--plugin', fixture('getter-throws')]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[DLM8002]: Plugin 'getter-throws' failed while registering: reading its 'layers' threw: lazy layer table failed to build");
  });

  it('malformed argument schemas: one DLM8003 per bad declaration; the good one still registers', async () => {
    const r = await dlm(['plugins', '--plugin', fixture('malformed-schema')]);
    expectNoCrash(r);
    expect(r.stderr.match(/error\[DLM8003\][^\n]*/g)).toEqual([
      `error[DLM8003]: Plugin 'malformed-schema' declares a malformed layer 'bad_type': argument 'k' has unknown type "integer"`,
      `error[DLM8003]: Plugin 'malformed-schema' declares a malformed layer 'bad_default': argument 'k' has default "three", which is not int`,
      "error[DLM8003]: Plugin 'malformed-schema' declares a malformed layer 'bad_enum': enum argument 'mode' must list its 'values'",
      "error[DLM8003]: Plugin 'malformed-schema' declares a malformed optimizer 'half_opt': 'update' must be a function",
    ]);
    const mod = (await import(join(PLUGIN_FIXTURES, 'malformed-schema.mjs'))) as { default: DlmPlugin };
    const reg = new PluginRegistry();
    expect(reg.register(mod.default).map((d) => d.code)).toEqual(['DLM8003', 'DLM8003', 'DLM8003', 'DLM8003']);
    expect(reg.names('layer')).toEqual(['fine_relu']);
  });

  it('a name collision with @dlm/plugin-std: DLM8001 naming both plugins; the first registration wins', async () => {
    const r = await dlm(['plugins', '--plugin', fixture('collides')]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[DLM8001]: layer 'relu' is registered twice: by plugin '@dlm/plugin-std' and by plugin 'collides'.");
    const reg = new PluginRegistry();
    reg.register(stdPlugin);
    const mod = (await import(join(PLUGIN_FIXTURES, 'collides.mjs'))) as { default: DlmPlugin };
    expect(reg.register(mod.default).map((d) => d.code)).toEqual(['DLM8001']);
    expect(reg.get('layer', 'relu')?.plugin).toBe('@dlm/plugin-std');
    expect(reg.get('layer', 'relu6')?.plugin).toBe('collides');
  });

  it('an API version mismatch: DLM8004 with both versions', async () => {
    const r = await dlm(['plugins', '--plugin', fixture('old-api')]);
    expectNoCrash(r);
    expect(r.stderr).toContain(`error[DLM8004]: Plugin 'old-api' was built for dlm plugin API 99, but this dlm provides API ${PLUGIN_API_VERSION}.`);
  });

  it('a module without a plugin export: DLM8008', async () => {
    const r = await dlm(['plugins', '--plugin', fixture('no-export')]);
    expectNoCrash(r);
    expect(r.stderr).toContain(`error[DLM8008]: Module '${fixture('no-export')}' does not export a dlm plugin`);
  });

  it('a plugin that cannot be found: DLM8007, for a package name and for a path', async () => {
    const byName = await dlm(['plugins', '--plugin', 'dlm-plugin-does-not-exist']);
    expectNoCrash(byName);
    expect(byName.stderr).toMatch(/error\[DLM8007\]: Cannot load plugin 'dlm-plugin-does-not-exist' \(named in --plugin\): Cannot find (module|package) 'dlm-plugin-does-not-exist'/);
    const byPath = await dlm(['plugins', '--plugin', './nowhere/plugin.mjs']);
    expect(byPath.stderr).toContain(`error[DLM8007]: Cannot load plugin './nowhere/plugin.mjs' (named in --plugin): no such file or directory: ${join(REPO_ROOT, 'nowhere/plugin.mjs')}`);
  });

  it('registry.register survives hostile objects: throwing name/apiVersion getters, non-objects, proxies', () => {
    const reg = new PluginRegistry();
    const throwingName = { get name(): string { throw new Error('no name'); }, apiVersion: PLUGIN_API_VERSION } as DlmPlugin;
    expect(reg.register(throwingName).map((d) => d.code)).toEqual(['DLM8002']);
    const throwingVersion = { name: 'v', get apiVersion(): number { throw new Error('no version'); } } as DlmPlugin;
    expect(reg.register(throwingVersion).map((d) => d.message)).toEqual(["Plugin 'v' failed while registering: no version"]);
    expect(reg.register(null as unknown as DlmPlugin).map((d) => d.code)).toEqual(['DLM8003']);
    const trap = new Proxy({}, { get: () => { throw new Error('trap'); } }) as DlmPlugin;
    expect(reg.register(trap).map((d) => d.code)).toEqual(['DLM8002']);
    const throwingDef = {
      name: 'd',
      apiVersion: PLUGIN_API_VERSION,
      layers: [{ get name(): string { throw new Error('def name'); } }],
    } as unknown as DlmPlugin;
    expect(reg.register(throwingDef).map((d) => d.message)).toEqual(["Plugin 'd' failed while registering: reading its layer '?' threw: def name"]);
    // Nothing of a failed plugin stays half-registered.
    expect(reg.plugins()).toEqual([]);
    const noVersion = { name: 'nv', layers: [] } as unknown as DlmPlugin;
    expect(reg.register(noVersion).map((d) => d.message)).toEqual([
      `Plugin 'nv' was built for dlm plugin API undefined (it must declare apiVersion: ${PLUGIN_API_VERSION}), but this dlm provides API ${PLUGIN_API_VERSION}.`,
    ]);
  });
});

describe('a plugin layer that misbehaves while compiling', () => {
  it('reports each failure at the .dlm call site, naming the layer and its plugin (golden)', async () => {
    const r = await dlm(['check', 'apps/cli/test/fixtures/liar.dlm', '--plugin', fixture('liar')]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectGolden('check-liar.txt', r.stderr);
    // The essentials, spelled out (the golden holds the code frames):
    expect(r.stderr).toContain(
      "error[DLM8006]: Layer 'keep_shape' from plugin 'liar' contradicts its own shape rule: the rule says f32[batch, 4, 6, 6], the expansion produced f32[batch, 4, 1, 1].\n  --> apps/cli/test/fixtures/liar.dlm:6:12",
    );
    expect(r.stderr).toContain("error[DLM8005]: Layer 'explode' from plugin 'liar' failed while expanding: Cannot read properties of undefined (reading 'shape')\n  --> apps/cli/test/fixtures/liar.dlm:7:12");
    expect(r.stderr).toContain("error[DLM8005]: Layer 'unknown_op' from plugin 'liar' failed while expanding: unknown core op 'Swish'\n  --> apps/cli/test/fixtures/liar.dlm:21:12");
    expect(r.stderr).toContain("error[DLM8005]: Layer 'bad_helpers' from plugin 'liar' failed while expanding: its shape rule threw: rule broke\n  --> apps/cli/test/fixtures/liar.dlm:27:12");
    // A failed layer poisons its output quietly: no cascade of follow-up errors in model Liar.
    expect(r.stderr).toMatch(/\n5 errors, 0 warnings\n$/);
  });

  it('uses of a broken plugin’s names are reported where they are: rejected layer or optimizer (DLM8009), colliding (DLM8010), never loaded (note) (golden)', async () => {
    const r = await dlm([
      'check',
      'apps/cli/test/fixtures/uses-broken.dlm',
      ...['malformed-schema', 'collides', 'throws-on-import'].flatMap((p) => ['--plugin', fixture(p)]),
    ]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expectGolden('check-uses-broken.txt', r.stderr);
    expect(r.stderr).toContain(
      `error[DLM8009]: Layer 'bad_type' cannot be used: plugin 'malformed-schema' declares it, but the declaration was rejected (argument 'k' has unknown type "integer").\n  --> apps/cli/test/fixtures/uses-broken.dlm:8:12`,
    );
    expect(r.stderr).toContain("error[DLM8010]: The layer 'relu' used here is declared by two plugins, '@dlm/plugin-std' and 'collides'");
    expect(r.stderr).toContain('--> apps/cli/test/fixtures/uses-broken.dlm:9:12');
    expect(r.stderr).toContain(`= note: plugin '${fixture('throws-on-import')}' failed to load and may declare it: cannot find my native binding (throws-on-import)`);
    expect(r.stderr).toContain(
      "error[DLM8009]: Optimizer 'half_opt' cannot be used: plugin 'malformed-schema' declares it, but the declaration was rejected ('update' must be a function).\n  --> apps/cli/test/fixtures/uses-broken.dlm:17:13",
    );
  });

  it('the graph builder itself (for any front end) reports rejected and clashing layers at the call', async () => {
    const reg = new PluginRegistry();
    reg.register(stdPlugin);
    const malformed = (await import(join(PLUGIN_FIXTURES, 'malformed-schema.mjs'))) as { default: DlmPlugin };
    const collides = (await import(join(PLUGIN_FIXTURES, 'collides.mjs'))) as { default: DlmPlugin };
    reg.register(malformed.default);
    reg.register(collides.default);
    const bag = new DiagnosticBag();
    const b = new GraphBuilder('G', reg, bag);
    const span = (line: number) => ({ file: 'g.dlm', start: line * 10, end: line * 10 + 5, line, col: 1, endLine: line, endCol: 6 });
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 4] });
    b.callLayer('bad_default', [x], [], span(1));
    b.callLayer('relu', [x], [], span(2));
    expect(bag.items.map((d) => [d.code, d.span?.line, d.message])).toEqual([
      ['DLM8009', 1, `Layer 'bad_default' cannot be used: plugin 'malformed-schema' declares it, but the declaration was rejected (argument 'k' has default "three", which is not int).`],
      ['DLM8010', 2, expect.stringContaining("'@dlm/plugin-std' and 'collides'")],
    ]);
  });

  it('a command other than check still fails when a named plugin is broken, even if the file does not use it', async () => {
    const r = await dlm(['summary', 'examples/mlp/mlp.dlm', '--plugin', fixture('old-api')]);
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error[DLM8004]');
    expect(r.stderr).toContain('error: plugins could not be loaded (see above); nothing was done');
  });

  it('dlm plugins still lists what registered next to a broken plugin, and exits 1', async () => {
    const r = await dlm(['plugins', '--plugin', fixture('malformed-schema')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}fine_relu +malformed-schema +a correct layer next to broken ones/m);
  });

  it('a throwing label falls back to the layer name in diagrams and summaries', async () => {
    const args = ['apps/cli/test/fixtures/label-throws.dlm', '--plugin', fixture('label-throws')];
    const d = await dlm(['diagram', ...args]);
    expectNoCrash(d);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/n_M_bad_label_1\["bad_label"\]/);
    const s = await dlm(['summary', ...args]);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/bad_label_1 +bad_label +\[batch, 4\]/);
  });

  it('layers of a plugin that was not named are unknown names with a suggestion, not a crash', async () => {
    const r = await dlm(['check', 'apps/cli/test/fixtures/liar.dlm']);
    expectNoCrash(r);
    expect(r.stderr).toContain("error[DLM2001]: Unknown layer 'keep_shape'");
  });

  it('a plugin optimizer that throws while training is DLM5060 naming it and its plugin, not an internal error', async () => {
    const runDir = join(REPO_ROOT, 'runs', `.test-throwing-rules-${process.pid}`);
    const r = await dlm(['train', 'apps/cli/test/fixtures/throwing-rules.dlm', '--plugin', fixture('throwing-rules'), '--backend', 'cpu', '--run-dir', runDir]);
    rmSync(runDir, { recursive: true, force: true });
    expectNoCrash(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[DLM5060\]: optimizer 'explode_opt' failed while training: .*from plugin/);
    expect(r.stderr).toContain('throwing-rules.dlm:12:');
  }, 60_000);
});
