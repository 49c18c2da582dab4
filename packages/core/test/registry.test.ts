import { describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION, PluginRegistry, type DlmPlugin, type LayerDef } from '../src/index.js';
import { linear, relu, testPlugin } from './fixtures.js';

const plugin = (name: string, layers: unknown[]): DlmPlugin => ({ name, apiVersion: PLUGIN_API_VERSION, layers: layers as LayerDef[] });

describe('PluginRegistry', () => {
  it('registers declarations and looks them up with suggestions', () => {
    const r = new PluginRegistry();
    expect(r.register(testPlugin)).toEqual([]);
    expect(r.get('layer', 'linear')?.plugin).toBe('test-plugin');
    expect(r.names('layer')).toEqual(['broken', 'liar', 'linear', 'mlp', 'relu']);
    expect(r.suggest('layer', 'Linear')).toBe('linear');
    expect(r.suggest('layer', 'transformer')).toBeUndefined();
    expect(r.plugins()).toEqual([{ name: 'test-plugin', origin: 'test-plugin', apiVersion: PLUGIN_API_VERSION }]);
  });
  it('refuses a duplicate name, naming both plugins, and keeps the first', () => {
    const r = new PluginRegistry();
    r.register(plugin('first', [linear]));
    const ds = r.register(plugin('second', [relu, { ...linear, doc: 'another' }]));
    expect(ds.map((d) => `${d.code} ${d.message}`)).toEqual(["DLM8001 layer 'linear' is registered twice: by plugin 'first' and by plugin 'second'."]);
    expect(r.get('layer', 'linear')?.plugin).toBe('first');
    expect(r.get('layer', 'relu')?.plugin).toBe('second');
  });
  it('refuses the same plugin twice and a wrong API version', () => {
    const r = new PluginRegistry();
    r.register(plugin('p', []), './a.js');
    expect(r.register(plugin('p', []), './b.js').map((d) => d.message)).toEqual(["plugin 'p' is registered twice: by plugin './a.js' and by plugin './b.js'."]);
    expect(r.register({ name: 'old', apiVersion: 0 }).map((d) => d.code)).toEqual(['DLM8004']);
  });
  it('reports malformed declarations by plugin and name, registering the good ones', () => {
    const r = new PluginRegistry();
    const ds = r.register(
      plugin('bad', [
        { ...linear, name: 'has space' },
        { ...relu, name: 'noexpand', expand: undefined },
        { ...relu, name: 'dupargs', args: [{ name: 'a', type: 'int', doc: '' }, { name: 'a', type: 'int', doc: '' }] },
        { ...relu, name: 'badenum', args: [{ name: 'mode', type: 'enum', doc: '' }] },
        { ...relu, name: 'badtype', args: [{ name: 'n', type: 'integer', doc: '' }] },
        { ...relu, name: 'good' },
      ]),
    );
    expect(ds.map((d) => `${d.code} ${d.message}`)).toEqual([
      `DLM8003 Plugin 'bad' declares a malformed layer 'has space': its name must be an identifier (letters, digits, _), got "has space"`,
      "DLM8003 Plugin 'bad' declares a malformed layer 'noexpand': 'expand' must be a function",
      "DLM8003 Plugin 'bad' declares a malformed layer 'dupargs': argument 'a' is declared twice",
      "DLM8003 Plugin 'bad' declares a malformed layer 'badenum': enum argument 'mode' must list its 'values'",
      `DLM8003 Plugin 'bad' declares a malformed layer 'badtype': argument 'n' has unknown type "integer"`,
    ]);
    expect(r.names('layer')).toEqual(['good']);
  });
  it("checks an augmentation's PyTorch twin: Python source that defines augment(x, args, draw)", () => {
    const r = new PluginRegistry();
    const aug = (name: string, torch: unknown) => ({ name, doc: '', kind: 'augmentation', args: [], augment: (_m: unknown, x: unknown) => x, ...(torch !== undefined ? { torch } : {}) });
    const ds = r.register({
      name: 'augs',
      apiVersion: PLUGIN_API_VERSION,
      regularizers: [aug('none', undefined), aug('good', 'def augment(x, args, draw):\n    return x\n'), aug('number', 42), aug('other', 'def transform(x):\n    return x\n')] as never,
    });
    expect(ds.map((d) => `${d.code} ${d.message}`)).toEqual([
      "DLM8003 Plugin 'augs' declares a malformed regularizer 'number': 'torch' must be Python source that defines augment(x, args, draw)",
      "DLM8003 Plugin 'augs' declares a malformed regularizer 'other': 'torch' must be Python source that defines augment(x, args, draw)",
    ]);
    expect(r.names('regularizer')).toEqual(['good', 'none']);
  });
  it("checks a penalty's stated gradient: a function when given", () => {
    const r = new PluginRegistry();
    const penalty = (name: string, gradient: unknown) => ({ name, doc: '', kind: 'penalty', args: [], penalty: (_m: unknown, p: unknown) => p, ...(gradient !== undefined ? { gradient } : {}) });
    const ds = r.register({
      name: 'pens',
      apiVersion: PLUGIN_API_VERSION,
      regularizers: [penalty('plain', undefined), penalty('stated', (_m: unknown, p: unknown) => p), penalty('number', 2)] as never,
    });
    expect(ds.map((d) => `${d.code} ${d.message}`)).toEqual(["DLM8003 Plugin 'pens' declares a malformed regularizer 'number': 'gradient' must be a function when given"]);
    expect(r.names('regularizer')).toEqual(['plain', 'stated']);
  });
});
