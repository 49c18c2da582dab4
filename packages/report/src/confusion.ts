/**
 * Confusion matrices (rows: true class, columns: predicted class) as aligned text and as an SVG
 * heatmap. Cell colour is the row-normalised share (the class's recall on the diagonal), so rare
 * classes are as readable as common ones; the cell text is the raw count.
 */
import { esc, n } from './svg.js';

function checkMatrix(matrix: readonly (readonly number[])[], classNames?: readonly string[]): string[] {
  const k = matrix.length;
  for (const [i, row] of matrix.entries()) {
    if (row.length !== k) throw new Error(`confusion matrix row ${i} has ${row.length} entries, expected ${k} (a square matrix)`);
  }
  if (classNames && classNames.length !== k) throw new Error(`${classNames.length} class names for a ${k}×${k} confusion matrix`);
  return classNames ? [...classNames] : Array.from({ length: k }, (_, i) => String(i));
}

/** Counts (true, predicted) pairs into a classes × classes matrix. */
export function confusionMatrixFromLabels(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (actual.length !== predicted.length) throw new Error(`${actual.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const p = predicted[i];
    if (!(a >= 0 && a < classes && p >= 0 && p < classes)) throw new Error(`label ${a} or prediction ${p} outside 0..${classes - 1}`);
    m[a][p]++;
  }
  return m;
}

const pct = (num: number, den: number) => (den === 0 ? '-' : `${((100 * num) / den).toFixed(1)}%`);

/**
 * Aligned text: one row per true class with its recall, a final row with each predicted class's
 * precision, and the overall accuracy.
 */
export function confusionMatrixText(matrix: readonly (readonly number[])[], classNames?: readonly string[]): string {
  const names = checkMatrix(matrix, classNames);
  const rowSums = matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const colSums = names.map((_, j) => matrix.reduce((a, r) => a + r[j], 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  const correct = matrix.reduce((a, r, i) => a + r[i], 0);
  const first = Math.max('actual \\ predicted'.length, 'precision'.length, ...names.map((s) => s.length));
  const w = Math.max(6, ...names.map((s) => s.length), ...matrix.flat().map((v) => String(v).length));
  const lines: string[] = [];
  lines.push(`${'actual \\ predicted'.padEnd(first)}  ${names.map((s) => s.padStart(w)).join(' ')}  ${'recall'.padStart(7)}`);
  matrix.forEach((row, i) => {
    lines.push(`${names[i].padEnd(first)}  ${row.map((v) => String(v).padStart(w)).join(' ')}  ${pct(row[i], rowSums[i]).padStart(7)}`);
  });
  lines.push(`${'precision'.padEnd(first)}  ${names.map((_, j) => pct(matrix[j]?.[j] ?? 0, colSums[j]).padStart(w)).join(' ')}`);
  lines.push(`accuracy ${pct(correct, total)} (${correct} of ${total})`);
  return lines.join('\n') + '\n';
}

export interface ConfusionSvgOptions {
  title?: string;
  /** Cell size in px (default 36; counts are drawn only when cells are at least 18 px). */
  cell?: number;
}

/** White → dark blue by share in [0, 1]. */
function blue(t: number): string {
  const c = (a: number, b: number) => Math.round(a + (b - a) * t);
  const hex = (v: number) => v.toString(16).padStart(2, '0');
  return `#${hex(c(0xf7, 0x08))}${hex(c(0xfb, 0x30))}${hex(c(0xff, 0x6b))}`;
}

export function confusionMatrixSvg(matrix: readonly (readonly number[])[], classNames?: readonly string[], opts: ConfusionSvgOptions = {}): string {
  const names = checkMatrix(matrix, classNames);
  const k = names.length;
  const cell = opts.cell ?? 36;
  const label = Math.min(120, 8 + 7 * Math.max(1, ...names.map((s) => s.length)));
  const top = (opts.title ? 30 : 6) + 20 + label;
  const left = 20 + label;
  const width = left + k * cell + 12;
  const height = top + k * cell + 12;
  const rowSums = matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (opts.title) out.push(`<text x="${n(width / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  out.push(`<text x="${n(left + (k * cell) / 2)}" y="${n(top - label - 6)}" text-anchor="middle" fill="#444444">predicted</text>`);
  out.push(`<text transform="translate(12 ${n(top + (k * cell) / 2)}) rotate(-90)" text-anchor="middle" fill="#444444">actual</text>`);
  names.forEach((s, i) => {
    out.push(`<text x="${left - 6}" y="${n(top + i * cell + cell / 2 + 4)}" text-anchor="end">${esc(s)}</text>`);
    out.push(`<text transform="translate(${n(left + i * cell + cell / 2 + 4)} ${top - 6}) rotate(-90)">${esc(s)}</text>`);
  });
  matrix.forEach((row, i) => {
    row.forEach((v, j) => {
      const share = rowSums[i] === 0 ? 0 : v / rowSums[i];
      const x = left + j * cell;
      const y = top + i * cell;
      out.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${blue(share)}" stroke="#ffffff"><title>actual ${esc(names[i])}, predicted ${esc(names[j])}: ${v} (${(share * 100).toFixed(1)}% of the row)</title></rect>`,
      );
      if (cell >= 18) {
        out.push(`<text x="${n(x + cell / 2)}" y="${n(y + cell / 2 + 4)}" text-anchor="middle" fill="${share > 0.5 ? '#ffffff' : '#000000'}">${v}</text>`);
      }
    });
  });
  out.push(`<rect x="${left}" y="${top}" width="${k * cell}" height="${k * cell}" fill="none" stroke="#444444"/>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
