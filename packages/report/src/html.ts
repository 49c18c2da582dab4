/**
 * A one-file HTML training report: title, facts table, training curves, confusion matrix and
 * sample grids, with the SVGs inline and the PNGs as data URIs (no external files, opens offline).
 */
import { confusionMatrixSvg, confusionMatrixText } from './confusion.js';
import { lossCurveSvg, type HistoryPoint } from './loss-curve.js';
import { esc } from './svg.js';

export interface ReportInput {
  title: string;
  /** Key facts shown as a table (model, dataset, epochs, backend, …), in order. */
  facts?: Record<string, string | number>;
  history?: readonly HistoryPoint[];
  confusion?: { matrix: readonly (readonly number[])[]; classNames?: readonly string[] };
  /** PNG images (e.g. `sampleGridPng` outputs) with captions. */
  images?: { caption: string; png: Uint8Array }[];
  /** Preformatted text (a model summary). */
  text?: { caption: string; body: string }[];
}

export function reportHtml(r: ReportInput): string {
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(r.title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}pre{background:#f6f6f6;padding:8px;overflow:auto}figure{margin:1em 0}</style>',
    '</head>',
    '<body>',
    `<h1>${esc(r.title)}</h1>`,
  ];
  if (r.facts && Object.keys(r.facts).length) {
    parts.push('<table>');
    for (const [k, v] of Object.entries(r.facts)) parts.push(`<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`);
    parts.push('</table>');
  }
  if (r.history?.length) parts.push('<h2>Training curves</h2>', lossCurveSvg(r.history).trimEnd());
  if (r.confusion) {
    parts.push('<h2>Confusion matrix</h2>', confusionMatrixSvg(r.confusion.matrix, r.confusion.classNames).trimEnd());
    parts.push(`<pre>${esc(confusionMatrixText(r.confusion.matrix, r.confusion.classNames).trimEnd())}</pre>`);
  }
  for (const img of r.images ?? []) {
    parts.push(`<figure><img alt="${esc(img.caption)}" src="data:image/png;base64,${Buffer.from(img.png).toString('base64')}"><figcaption>${esc(img.caption)}</figcaption></figure>`);
  }
  for (const t of r.text ?? []) parts.push(`<h2>${esc(t.caption)}</h2>`, `<pre>${esc(t.body)}</pre>`);
  parts.push('</body>', '</html>');
  return parts.join('\n') + '\n';
}
