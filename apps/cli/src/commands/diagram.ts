import { resolve } from 'node:path';
import type { DiagramOptions } from '@dlm/mermaid';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins } from '../workspace.js';
import { oneInput } from '../inputs.js';
import { COMMON } from '../flags.js';
import { writeFileAtomic } from '../files.js';
import { CliError } from '../io.js';
import { loadMermaid } from '../backends.js';

const FORMATS = ['mermaid', 'md', 'svg', 'png'] as const;
type Format = (typeof FORMATS)[number];

/** `dlm diagram`: Mermaid flowchart text, Markdown, or SVG/PNG rendered by real Mermaid. */
export const diagram: Command = {
  name: 'diagram',
  summary: 'draw the model as a Mermaid flowchart (text, md, svg, png)',
  usage: 'diagram <file.dlm|-> [--format mermaid|md|svg|png] [-o out|-] [--depth N] [--direction TB|LR] [--no-fold] [--model Name] [--theme default|dark]',
  options: {
    format: {
      type: 'string',
      short: 'f',
      default: 'from the -o extension, else mermaid',
      help: 'mermaid, md, svg or png (svg/png are rendered by Mermaid in Chromium: found on PATH, in the usual macOS/Windows places, or at $DLM_CHROMIUM)',
    },
    output: { ...COMMON.output, default: 'stdout' },
    depth: { type: 'string', arg: 'n', help: 'collapse blocks below this depth into one node each' },
    direction: { type: 'string', default: 'TB', help: 'TB or LR' },
    'no-fold': { type: 'boolean', help: 'draw repeated identical blocks one by one instead of ×N' },
    model: { ...COMMON.model, multiple: true, help: 'draw only this model' },
    theme: { type: 'string', default: 'default', help: 'default or dark (svg/png)' },
  },
  async run(ctx) {
    const input = await oneInput(ctx, 'diagram');
    const { renderPng, renderSvg, toMarkdown, toMermaid } = await loadMermaid('draw diagrams');
    const out = ctx.values['output'] as string | undefined;
    const format = ((ctx.values['format'] as string | undefined) ?? inferFormat(out)) as Format;
    if (!FORMATS.includes(format)) throw new CliError(`unknown format '${format}'; use one of ${FORMATS.join(', ')}`, 2);
    const depthText = ctx.values['depth'] as string | undefined;
    const depth = depthText === undefined ? undefined : Number(depthText);
    if (depth !== undefined && (!Number.isInteger(depth) || depth < 1)) throw new CliError(`--depth must be a positive integer, got '${depthText}'`, 2);
    const direction = (ctx.values['direction'] as string | undefined) ?? 'TB';
    if (direction !== 'TB' && direction !== 'LR') throw new CliError(`--direction must be TB or LR, got '${direction}'`, 2);
    const theme = (ctx.values['theme'] as string | undefined) ?? 'default';
    if (theme !== 'default' && theme !== 'dark') throw new CliError(`--theme must be default or dark, got '${theme}'`, 2);
    if ((format === 'svg' || format === 'png') && !out) throw new CliError(`--format ${format} needs an output file (-o FILE, or -o - for stdout)`, 2);

    const loaded = await loadPlugins(ctx, input.file);
    const { program } = compileOrFail(ctx, loaded, input.file, input.text);
    const models = ctx.values['model'] as string[] | undefined;
    for (const m of models ?? []) {
      if (!program.models.some((g) => g.name === m)) throw new CliError(`no model '${m}' in the file; it has ${program.models.map((g) => `'${g.name}'`).join(', ')}`);
    }
    const opts = {
      direction,
      fold: !ctx.values['no-fold'],
      ...(depth !== undefined ? { depth } : {}),
      ...(models ? { models } : {}),
      classOf: (kind: string) => loaded.registry.get('layer', kind)?.def.diagramClass,
    } as DiagramOptions;
    let data: string | Uint8Array;
    if (format === 'md') data = toMarkdown(program, opts);
    else {
      const text = toMermaid(program, opts);
      if (format === 'mermaid') data = text;
      else data = format === 'svg' ? await renderSvg(text, { theme }) : await renderPng(text, { theme });
    }
    if (out && out !== '-') writeFileAtomic(resolve(ctx.io.cwd, out), data);
    else ctx.io.stdout(data);
    return 0;
  },
};

function inferFormat(out: string | undefined): Format {
  if (!out) return 'mermaid';
  if (out.endsWith('.md')) return 'md';
  if (out.endsWith('.svg')) return 'svg';
  if (out.endsWith('.png')) return 'png';
  return 'mermaid';
}
