/**
 * IR → Mermaid `flowchart` text. Pure and deterministic: the same program and options always give
 * byte-identical text (ids come from model names and layer paths, never from counters), so the
 * text can be committed and diffed.
 */
import { didYouMean, type Graph, type Program } from '@dlm/core';
import { allocateIds, escapeLabel, joinLines, sanitizeClass } from './escape.js';
import { DiagramError } from './errors.js';
import { buildModelDiagram, type DItem, type DNode, type ModelDiagram } from './structure.js';
import { classDefLine, isBuiltinClass } from './styles.js';

export interface DiagramOptions {
  /** Flow direction: top to bottom (default) or left to right. */
  direction?: 'TB' | 'LR';
  /** Show blocks nested up to this depth; deeper blocks become one box each. Default: all. */
  depth?: number;
  /** Fold runs of identical chained blocks (`repeat 3 { Residual(64) }`) into one box ×3. Default true. */
  fold?: boolean;
  /** Parameter counts in layer boxes. Default true. */
  showParams?: boolean;
  /** Only these models (by name), in this order. Default: every model of the program. */
  models?: readonly string[];
  /**
   * Mermaid class for a layer kind, e.g. from the registry's `LayerDef.diagramClass`. Undefined
   * falls back to the layer's family. Unknown class names get a generated style.
   */
  classOf?: (kind: string) => string | undefined;
}

function selectGraphs(input: Program | readonly Graph[], names: readonly string[] | undefined): Graph[] {
  const all = Array.isArray(input) ? (input as readonly Graph[]) : (input as Program).models;
  if (!names) return [...all];
  return names.map((n) => {
    const g = all.find((m) => m.name === n);
    if (!g) {
      const known = all.map((m) => m.name);
      const hint = didYouMean(n, known);
      throw new DiagramError('DLM7003', [n, known.length ? known.join(', ') : '(no models)'], hint);
    }
    return g;
  });
}

function checkDepth(depth: number | undefined): number {
  if (depth === undefined) return Infinity;
  if (!Number.isInteger(depth) || depth < 1) throw new DiagramError('DLM7004', [String(depth)]);
  return depth;
}

/** Builds the per-model structures the text is printed from (exported for tests and tools). */
export function buildDiagrams(input: Program | readonly Graph[], opts: DiagramOptions = {}): ModelDiagram[] {
  const depth = checkDepth(opts.depth);
  const graphs = selectGraphs(input, opts.models);
  const classOf = opts.classOf;
  return graphs.map((g) =>
    buildModelDiagram(g, {
      depth,
      fold: opts.fold ?? true,
      showParams: opts.showParams ?? true,
      ...(classOf ? { classOf: (k: string) => { const c = classOf(k); return c ? sanitizeClass(c) : undefined; } } : {}),
    }),
  );
}

function nodeText(id: string, n: DNode): string {
  const label = `"${joinLines(n.lines.map(escapeLabel))}"`;
  switch (n.shape) {
    case 'input':
      return `${id}([${label}])`;
    case 'output':
      return `${id}[/${label}/]`;
    case 'block':
      return `${id}[[${label}]]`;
    default:
      return `${id}[${label}]`;
  }
}

/** The Mermaid flowchart for the program's models. */
export function toMermaid(input: Program | readonly Graph[], opts: DiagramOptions = {}): string {
  const models = buildDiagrams(input, opts);
  const multi = models.length > 1;

  // Ids for every box and subgraph of every model, allocated together so they cannot clash.
  const seenModels = new Map<string, number>();
  const modelKeys = models.map((m) => {
    const n = (seenModels.get(m.name) ?? 0) + 1;
    seenModels.set(m.name, n);
    return n === 1 ? m.name : `${m.name}\u0000${n}`;
  });
  const bases = new Map<string, string>();
  const fullKey = (mi: number, key: string) => JSON.stringify([modelKeys[mi], key]);
  const collect = (mi: number, items: readonly DItem[]) => {
    for (const it of items) {
      if (it.kind === 'node') bases.set(fullKey(mi, it.node.key), `${models[mi]!.name}_${it.node.idBase}`);
      else {
        bases.set(fullKey(mi, it.sub.key), `${models[mi]!.name}_${it.sub.idBase}`);
        collect(mi, it.sub.children);
      }
    }
  };
  models.forEach((m, mi) => {
    if (multi) bases.set(fullKey(mi, '\u0001model'), m.name);
    collect(mi, m.items);
  });
  const ids = allocateIds(bases);
  const idOf = (mi: number, key: string) => ids.get(fullKey(mi, key))!;

  const dir = opts.direction ?? 'TB';
  const lines: string[] = [`flowchart ${dir}`];
  const used = new Set<string>();
  const emit = (mi: number, items: readonly DItem[], indent: string) => {
    for (const it of items) {
      if (it.kind === 'node') {
        used.add(it.node.cls);
        lines.push(`${indent}${nodeText(idOf(mi, it.node.key), it.node)}:::${it.node.cls}`);
      } else {
        lines.push(`${indent}subgraph ${idOf(mi, it.sub.key)}["${escapeLabel(it.sub.title)}"]`);
        // Mermaid turns a subgraph with no outside links sideways unless told its direction.
        lines.push(`${indent}  direction ${dir}`);
        emit(mi, it.sub.children, `${indent}  `);
        lines.push(`${indent}end`);
      }
    }
  };
  models.forEach((m, mi) => {
    if (multi) {
      lines.push(`  subgraph ${idOf(mi, '\u0001model')}["${escapeLabel(m.name)}"]`, `    direction ${dir}`);
      emit(mi, m.items, '    ');
      lines.push('  end');
    } else emit(mi, m.items, '  ');
  });
  // Edges after every box is declared, so each box stays in the subgraph that declared it.
  models.forEach((m, mi) => {
    for (const e of m.edges) {
      const arrow = e.label ? `-->|"${escapeLabel(e.label)}"|` : '-->';
      lines.push(`  ${idOf(mi, e.from)} ${arrow} ${idOf(mi, e.to)}`);
    }
  });
  const builtin = [...used].filter(isBuiltinClass).sort();
  const extra = [...used].filter((c) => !isBuiltinClass(c)).sort();
  for (const c of [...builtin, ...extra]) lines.push(`  ${classDefLine(c)}`);
  return lines.join('\n') + '\n';
}

/** Escapes text for a Markdown heading line. */
function markdownText(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** The diagram as a Markdown section: a heading and a ```mermaid fenced block. */
export function toMarkdown(input: Program | readonly Graph[], opts: DiagramOptions & { title?: string } = {}): string {
  const text = toMermaid(input, opts);
  const names = selectGraphs(input, opts.models).map((g) => g.name);
  const title = opts.title ?? names.join(', ');
  // The fence must be longer than any backtick run inside (labels escape backticks, but be safe).
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `## ${markdownText(title)}\n\n${fence}mermaid\n${text}${fence}\n`;
}
