/**
 * One Mermaid class per layer family. Fills are mid-tone and text is explicitly dark, so nodes read
 * the same on Mermaid's light ('default') and 'dark' themes: the theme only changes the page,
 * edges and subgraph frames around them.
 */
import { opCategory, type LayerFamily, type OpCategory } from '@dlm/core';
import { hash8 } from './escape.js';

export type DiagramClass = LayerFamily | 'io' | 'op';

interface Style {
  fill: string;
  stroke: string;
  extra?: string;
}

const STYLES: Record<DiagramClass, Style> = {
  conv: { fill: '#7eb0e0', stroke: '#2b5c8a' },
  dense: { fill: '#f0a868', stroke: '#8a5522' },
  recurrent: { fill: '#b7a1de', stroke: '#5b3f8f' },
  normalization: { fill: '#7fcfc4', stroke: '#2b7a70' },
  activation: { fill: '#f3d36b', stroke: '#8a7420' },
  regularization: { fill: '#c4c4c4', stroke: '#5f5f5f', extra: 'stroke-dasharray:4 3' },
  pooling: { fill: '#9ed28b', stroke: '#3f7a2c' },
  shape: { fill: '#d9c8b4', stroke: '#7a6048' },
  merge: { fill: '#f39ab8', stroke: '#8f3a5a' },
  embedding: { fill: '#d59ad9', stroke: '#7f3b85' },
  transformer: { fill: '#e8b04a', stroke: '#8a5a12', extra: 'stroke-width:2px' },
  block: { fill: '#b0bec5', stroke: '#455a64', extra: 'stroke-width:2px' },
  custom: { fill: '#ef9f9a', stroke: '#8f3b35' },
  io: { fill: '#e6e9eb', stroke: '#37474f', extra: 'stroke-width:2px' },
  op: { fill: '#d0d0d0', stroke: '#555555' },
};

/**
 * Fills for plugin-defined classes that are not a family, picked by a hash of the class name;
 * hues that no family uses, so a plugin's layers stand out.
 */
const EXTRA_FILLS: readonly Style[] = [
  { fill: '#72d0e6', stroke: '#1f6f82' }, // cyan
  { fill: '#c3dc6a', stroke: '#5f7420' }, // lime
  { fill: '#a3acf2', stroke: '#3a458f' }, // periwinkle
  { fill: '#e8c070', stroke: '#85621c' }, // gold
];

const TEXT = '#111111';

export function isBuiltinClass(name: string): name is DiagramClass {
  return Object.prototype.hasOwnProperty.call(STYLES, name);
}

/** The `classDef` line for a class (built-in or plugin-defined). */
export function classDefLine(name: string): string {
  const s = isBuiltinClass(name) ? STYLES[name] : EXTRA_FILLS[parseInt(hash8(name).slice(0, 6), 16) % EXTRA_FILLS.length]!;
  return `classDef ${name} fill:${s.fill},stroke:${s.stroke},color:${TEXT}${s.extra ? `,${s.extra}` : ''}`;
}

/** The diagram class of each op category: a bare op is styled like the layers that make such ops. */
const CLASS_OF_CATEGORY: Record<OpCategory, DiagramClass> = {
  activation: 'activation',
  elementwise: 'merge',
  reduction: 'pooling',
  linear: 'dense',
  convolution: 'conv',
  pooling: 'pooling',
  normalization: 'normalization',
  regularization: 'regularization',
  recurrent: 'recurrent',
  shape: 'shape',
};

/** Class of a bare core op that no layer owns (e.g. an `Add` written directly in a block), from its schema's category. */
export function classOfOp(op: string): DiagramClass {
  const category = opCategory(op);
  return category ? CLASS_OF_CATEGORY[category] : 'op';
}
