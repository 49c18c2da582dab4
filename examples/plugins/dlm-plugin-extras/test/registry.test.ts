import { describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION, PluginRegistry } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import plugin, { plugin as named } from '../src/index.js';

describe('the plugin declaration', () => {
  it('registers next to the standard plugin without problems', () => {
    const r = new PluginRegistry();
    expect(r.register(stdPlugin)).toEqual([]);
    expect(r.register(plugin, 'dlm-plugin-extras')).toEqual([]);
    expect(r.plugins().map((p) => p.name)).toEqual(['@dlm/plugin-std', 'dlm-plugin-extras']);
    expect(r.get('layer', 'swish')?.plugin).toBe('dlm-plugin-extras');
    expect(r.get('layer', 'squeeze_excite')?.plugin).toBe('dlm-plugin-extras');
    expect(r.get('dataset', 'image_folder')?.plugin).toBe('dlm-plugin-extras');
    expect(r.get('optimizer', 'lion')?.plugin).toBe('dlm-plugin-extras');
    expect(r.get('regularizer', 'max_norm')?.plugin).toBe('dlm-plugin-extras');
    expect(r.get('regularizer', 'random_brightness')?.plugin).toBe('dlm-plugin-extras');
    expect(r.get('layer', 'relu')?.plugin).toBe('@dlm/plugin-std');
  });

  it('targets this dlm’s plugin API and is exported both as default and as `plugin`', () => {
    expect(plugin.apiVersion).toBe(PLUGIN_API_VERSION);
    expect(named).toBe(plugin);
  });

  it('documents every declaration and every argument', () => {
    const all = [...(plugin.layers ?? []), ...(plugin.datasets ?? []), ...(plugin.optimizers ?? []), ...(plugin.regularizers ?? [])];
    expect(all.map((d) => d.name).sort()).toEqual(['image_folder', 'lion', 'max_norm', 'random_brightness', 'squeeze_excite', 'swish']);
    for (const d of all) {
      expect(d.doc.length, d.name).toBeGreaterThan(20);
      for (const a of d.args) expect(a.doc.length, `${d.name}.${a.name}`).toBeGreaterThan(5);
    }
  });

  it('registering it twice is a DLM8001 naming the plugin', () => {
    const r = new PluginRegistry();
    r.register(plugin, 'first');
    const again = r.register(plugin, 'second');
    expect(again.map((d) => d.code)).toEqual(['DLM8001']);
    expect(again[0]!.message).toContain('dlm-plugin-extras');
  });
});
