/**
 * Training progress as events, and a console renderer for them. The trainer only emits events;
 * how they look is the renderer's business (the CLI uses `consoleProgress`; tests collect events).
 *
 * On a TTY the renderer redraws one status line per batch (at most every 100 ms): epoch, batch,
 * samples/s, ETA, running loss and metrics. Elsewhere (CI logs, pipes) it prints a plain line every
 * `plainEverySeconds` seconds instead of redrawing. Every epoch ends with one summary line.
 */
import type { EpochRecord } from './state.js';
import { formatDuration } from './common.js';

export type TrainEvent =
  | {
      kind: 'start';
      model: string;
      backend: string;
      /** First epoch to run (1-based; > 1 when resuming). */
      firstEpoch: number;
      epochs: number;
      trainSamples: number;
      evalSamples: number;
      /** Where the end-of-epoch evaluation comes from. */
      evalSplit: 'validation' | 'test' | 'none';
      batchSize: number;
      resumedFrom?: string;
    }
  | {
      kind: 'batch';
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      samples: number;
      samplesPerSecond: number;
      etaSeconds: number;
      /** Running mean loss of the epoch so far. */
      loss: number;
      metrics: Record<string, number>;
    }
  /** `checkpoint`: where the epoch was saved (absent when the run keeps no checkpoints, as in the playground). */
  | { kind: 'epoch'; record: EpochRecord; epochs: number; checkpoint?: string; confusion?: ConfusionReport }
  | { kind: 'stop'; reason: 'completed' | 'early_stopping' | 'non_finite_loss' | 'interrupted'; epoch: number; message?: string };

/** A classifier's confusion matrix on the evaluation split (rows: true class, columns: predicted). */
export interface ConfusionReport {
  classes: number;
  classNames?: string[];
  matrix: number[][];
}

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));
const metricsText = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${fmt(v)}`).join('  ');

/** The one-line epoch summary (also what non-TTY logs show). */
export function epochSummary(r: EpochRecord, epochs: number): string {
  const parts = [`epoch ${r.epoch}/${epochs}`, `loss ${fmt(r.loss)}`];
  if (Object.keys(r.metrics).length) parts.push(metricsText(r.metrics));
  if (r.extra) parts.push(metricsText(r.extra));
  if (r.val) {
    parts.push(`val_loss ${fmt(r.val.loss)}`);
    const vm = Object.fromEntries(Object.entries(r.val.metrics).map(([k, v]) => [`val_${k}`, v]));
    if (Object.keys(vm).length) parts.push(metricsText(vm));
  }
  parts.push(`lr ${r.lr.toPrecision(3)}`, formatDuration(r.seconds));
  return parts.join('  ');
}

export function formatConfusion(c: ConfusionReport): string {
  const names = c.classNames ?? Array.from({ length: c.classes }, (_, i) => String(i));
  const w = Math.max(5, ...names.map((n) => n.length), ...c.matrix.flat().map((v) => String(v).length));
  const pad = (s: string) => s.padStart(w);
  const lines = [`confusion matrix (rows: true class, columns: predicted)`, `${pad('')} ${names.map(pad).join(' ')}`];
  c.matrix.forEach((row, i) => lines.push(`${pad(names[i]!)} ${row.map((v) => pad(String(v))).join(' ')}`));
  return lines.join('\n');
}

/** Renders events to a stream (stderr in the CLI). */
export function consoleProgress(stream: ProgressStream, opts: { plainEverySeconds?: number; showConfusion?: boolean } = {}): (e: TrainEvent) => void {
  const tty = !!stream.isTTY;
  const every = (opts.plainEverySeconds ?? 10) * 1000;
  let lastDraw = 0;
  let lastPlain = Date.now();
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return (e) => {
    const now = Date.now();
    switch (e.kind) {
      case 'start':
        stream.write(
          `training ${e.model} on ${e.backend}: ${e.trainSamples} samples, batch ${e.batchSize}, epochs ${e.firstEpoch}..${e.epochs}` +
            (e.evalSplit !== 'none' ? `, evaluating on ${e.evalSamples} ${e.evalSplit} samples` : '') +
            (e.resumedFrom ? ` (resumed from ${e.resumedFrom})` : '') +
            '\n',
        );
        break;
      case 'batch': {
        const line = `epoch ${e.epoch}/${e.epochs}  batch ${e.batch}/${e.batches}  ${Math.round(e.samplesPerSecond)} samples/s  ETA ${formatDuration(e.etaSeconds)}  loss ${fmt(e.loss)}${Object.keys(e.metrics).length ? '  ' + metricsText(e.metrics) : ''}`;
        if (tty) {
          if (now - lastDraw >= 100 || e.batch === e.batches) {
            stream.write(`\r\x1b[2K${line}`);
            drawn = true;
            lastDraw = now;
          }
        } else if (now - lastPlain >= every) {
          stream.write(line + '\n');
          lastPlain = now;
        }
        break;
      }
      case 'epoch':
        clear();
        stream.write(epochSummary(e.record, e.epochs) + '\n');
        if (e.confusion && opts.showConfusion) stream.write(formatConfusion(e.confusion) + '\n');
        lastPlain = now;
        break;
      case 'stop':
        clear();
        if (e.reason === 'early_stopping') stream.write(`early stopping after epoch ${e.epoch}${e.message ? `: ${e.message}` : ''}\n`);
        if (e.reason === 'interrupted') stream.write(`interrupted in epoch ${e.epoch}${e.message ? `: ${e.message}` : ''}\n`);
        break;
    }
  };
}
