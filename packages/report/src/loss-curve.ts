/**
 * Training curves as a self-contained SVG: one panel per quantity (loss, accuracy, …), each with
 * the training series (solid) and the evaluation series (dashed; keys prefixed `val_` or
 * `test_`) over the epochs, with axes, ticks, grid lines and a legend. Non-finite values (a
 * diverged epoch) break the line instead of wrecking the scale.
 */
/** What the curves read from a training run's epoch records (structurally the trainer's EpochRecord). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  metrics: Record<string, number>;
  val?: { loss: number; metrics: Record<string, number> };
  extra?: Record<string, number>;
}
import { esc, n, niceTicks, tickLabel, valueLabel } from './svg.js';

export interface HistoryPoint {
  epoch: number;
  metrics: Record<string, number>;
}

export interface LossCurveOptions {
  title?: string;
  /** Total width in px (default 640). */
  width?: number;
  /** Height of each panel in px (default 220). */
  panelHeight?: number;
}

const SERIES_STYLE = {
  train: { color: '#1f77b4', dash: '', label: 'train' },
  val: { color: '#d62728', dash: '6 4', label: 'validation' },
  test: { color: '#2ca02c', dash: '6 4', label: 'test' },
} as const;
type SeriesKind = keyof typeof SERIES_STYLE;

/** Flattens the trainer's epoch records: loss, metrics, extras, and `val_`-prefixed evaluation values. */
export function historyFromRecords(records: readonly EpochRecord[]): HistoryPoint[] {
  return records.map((r) => {
    const metrics: Record<string, number> = { loss: r.loss, ...r.metrics, ...(r.extra ?? {}) };
    if (r.val) {
      metrics.val_loss = r.val.loss;
      for (const [k, v] of Object.entries(r.val.metrics)) metrics[`val_${k}`] = v;
    }
    return { epoch: r.epoch, metrics };
  });
}

function splitKey(key: string): { base: string; kind: SeriesKind } {
  if (key.startsWith('val_')) return { base: key.slice(4), kind: 'val' };
  if (key.startsWith('test_')) return { base: key.slice(5), kind: 'test' };
  if (key.startsWith('train_')) return { base: key.slice(6), kind: 'train' };
  return { base: key, kind: 'train' };
}

interface Panel {
  name: string;
  series: { kind: SeriesKind; points: [number, number][] }[];
}

function panels(history: readonly HistoryPoint[]): Panel[] {
  const byBase = new Map<string, Map<SeriesKind, [number, number][]>>();
  for (const h of history) {
    for (const [key, v] of Object.entries(h.metrics)) {
      const { base, kind } = splitKey(key);
      if (!byBase.has(base)) byBase.set(base, new Map());
      const m = byBase.get(base)!;
      if (!m.has(kind)) m.set(kind, []);
      m.get(kind)!.push([h.epoch, v]);
    }
  }
  // Loss first, the rest in order of appearance.
  const names = [...byBase.keys()].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
  return names.map((name) => ({
    name,
    series: (['train', 'val', 'test'] as const).filter((k) => byBase.get(name)!.has(k)).map((kind) => ({ kind, points: byBase.get(name)!.get(kind)! })),
  }));
}

/** Path data with a new sub-path after every non-finite value. */
function pathData(points: [number, number][], x: (e: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const [e, v] of points) {
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${n(x(e))} ${n(y(v))}`;
    pen = true;
  }
  return d;
}

export function lossCurveSvg(history: readonly HistoryPoint[], opts: LossCurveOptions = {}): string {
  const width = opts.width ?? 640;
  const ph = opts.panelHeight ?? 220;
  const ps = panels(history);
  const top = opts.title ? 32 : 8;
  const margin = { left: 64, right: 16, top: 28, bottom: 40 };
  const height = top + Math.max(1, ps.length) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  if (opts.title) out.push(`<text x="${n(width / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  if (ps.length === 0) out.push(`<text x="${n(width / 2)}" y="${n(top + ph / 2)}" text-anchor="middle" fill="#666666">no history</text>`);
  const epochs = history.map((h) => h.epoch);
  const eMin = Math.min(...epochs);
  const eMax = Math.max(...epochs);
  const xPad = eMax === eMin ? 0.5 : 0;
  const xTicks = niceTicks(eMin - xPad, eMax + xPad, Math.min(10, Math.max(1, eMax - eMin)));
  const xStep = Math.max(1, xTicks.step);
  ps.forEach((p, pi) => {
    const y0 = top + pi * ph;
    const plot = { x: margin.left, y: y0 + margin.top, w: width - margin.left - margin.right, h: ph - margin.top - margin.bottom };
    const values = p.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
    const yt = niceTicks(Math.min(...values), Math.max(...values));
    // 3% inner margin so the first and last points do not sit on the frame.
    const inner = plot.w * 0.03;
    const x = (e: number) => plot.x + inner + ((e - (eMin - xPad)) / (eMax + xPad - (eMin - xPad))) * (plot.w - 2 * inner);
    const y = (v: number) => plot.y + plot.h - ((v - yt.lo) / (yt.hi - yt.lo)) * plot.h;
    out.push(`<g class="panel" data-metric="${esc(p.name)}">`);
    out.push(`<text x="${plot.x}" y="${n(y0 + 18)}" font-size="13" font-weight="bold">${esc(p.name)}</text>`);
    for (const v of yt.values) {
      out.push(`<line x1="${plot.x}" y1="${n(y(v))}" x2="${n(plot.x + plot.w)}" y2="${n(y(v))}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${plot.x - 6}" y="${n(y(v) + 4)}" text-anchor="end" fill="#444444">${tickLabel(v, yt.step)}</text>`);
    }
    const firstTick = Math.ceil((eMin - 1e-9) / xStep) * xStep;
    for (let e = firstTick; e <= eMax + 1e-9; e += xStep) {
      out.push(`<line x1="${n(x(e))}" y1="${n(plot.y + plot.h)}" x2="${n(x(e))}" y2="${n(plot.y + plot.h + 4)}" stroke="#444444"/>`);
      out.push(`<text x="${n(x(e))}" y="${n(plot.y + plot.h + 17)}" text-anchor="middle" fill="#444444">${e}</text>`);
    }
    out.push(`<rect x="${plot.x}" y="${n(plot.y)}" width="${n(plot.w)}" height="${n(plot.h)}" fill="none" stroke="#444444"/>`);
    out.push(`<text x="${n(plot.x + plot.w / 2)}" y="${n(y0 + ph - 6)}" text-anchor="middle" fill="#444444">epoch</text>`);
    for (const s of p.series) {
      const st = SERIES_STYLE[s.kind];
      out.push(`<path d="${pathData(s.points, x, y)}" fill="none" stroke="${st.color}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`);
      for (const [e, v] of s.points) {
        if (!Number.isFinite(v)) continue;
        out.push(`<circle cx="${n(x(e))}" cy="${n(y(v))}" r="2.5" fill="${st.color}"><title>${esc(st.label)} ${esc(p.name)}, epoch ${e}: ${valueLabel(v)}</title></circle>`);
      }
    }
    // Legend in the panel's header line, right-aligned, so it never covers the data.
    p.series.forEach((s, i) => {
      const st = SERIES_STYLE[s.kind];
      const lx = plot.x + plot.w - (p.series.length - i) * 110;
      const ly = y0 + 18;
      out.push(`<line x1="${n(lx)}" y1="${n(ly - 4)}" x2="${n(lx + 24)}" y2="${n(ly - 4)}" stroke="${st.color}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`);
      out.push(`<text x="${n(lx + 30)}" y="${n(ly)}">${st.label}</text>`);
    });
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
