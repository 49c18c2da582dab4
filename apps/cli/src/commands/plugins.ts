import type { PluginKind } from '@dlm/core';
import type { Command } from './index.js';
import { loadPlugins } from '../workspace.js';
import { COMMON } from '../flags.js';

const KINDS: PluginKind[] = ['layer', 'dataset', 'optimizer', 'schedule', 'regularizer', 'loss', 'metric'];

/** `dlm plugins`: what is registered, by kind, and which plugin (and origin) provided it. */
export const plugins: Command = {
  name: 'plugins',
  summary: 'list registered plugins, layers, datasets, optimizers, losses, metrics',
  usage: 'plugins [--json]',
  options: { json: COMMON.json },
  async run(ctx) {
    const { registry, pluginErrors } = await loadPlugins(ctx);
    // With a broken plugin (its errors are printed above) the list still shows what did register.
    const status = pluginErrors ? 1 : 0;
    if (ctx.values['json']) {
      const out = {
        plugins: registry.plugins(),
        ...Object.fromEntries(KINDS.map((k) => [k, registry.entries(k).map((e) => ({ name: e.def.name, plugin: e.plugin, doc: e.def.doc }))])),
      };
      ctx.io.stdout(JSON.stringify(out, null, 2) + '\n');
      return status;
    }
    const lines: string[] = ['Plugins:'];
    for (const p of registry.plugins()) lines.push(`  ${p.name}  (from ${p.origin}, API ${p.apiVersion})`);
    for (const k of KINDS) {
      const entries = registry.entries(k);
      lines.push('', `${k === 'loss' ? 'losses' : `${k}s`} (${entries.length}):`);
      for (const e of [...entries].sort((a, b) => (a.def.name < b.def.name ? -1 : 1))) {
        const doc = e.def.doc.split(/(?<=\.)\s/)[0] ?? '';
        lines.push(`  ${e.def.name.padEnd(22)} ${e.plugin.padEnd(18)} ${doc}`);
      }
    }
    ctx.io.stdout(lines.join('\n') + '\n');
    return status;
  },
};
