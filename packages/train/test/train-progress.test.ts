import { describe, expect, it } from 'vitest';
import { consoleProgress, epochSummary, formatConfusion, type TrainEvent } from '../src/index.js';

const batch = (b: number): TrainEvent => ({ kind: 'batch', epoch: 1, epochs: 2, batch: b, batches: 3, samples: b * 10, samplesPerSecond: 100, etaSeconds: 0.3, loss: 0.5, metrics: { accuracy: 0.75 } });
const record = { epoch: 1, loss: 0.5, metrics: { accuracy: 0.75 }, val: { loss: 0.25, metrics: { accuracy: 0.875 } }, lr: 0.001, seconds: 1.25 };

describe('console progress', () => {
  it('redraws one status line on a TTY and ends the epoch with a summary line', () => {
    let out = '';
    const p = consoleProgress({ isTTY: true, write: (s: string) => (out += s) });
    p(batch(1));
    p(batch(3)); // the last batch is always drawn
    p({ kind: 'epoch', record, epochs: 2, checkpoint: 'runs/x/epoch-1' });
    expect(out).toBe(
      '\r\x1b[2Kepoch 1/2  batch 1/3  100 samples/s  ETA 0.3 s  loss 0.5000  accuracy 0.7500' +
        '\r\x1b[2Kepoch 1/2  batch 3/3  100 samples/s  ETA 0.3 s  loss 0.5000  accuracy 0.7500' +
        '\r\x1b[2Kepoch 1/2  loss 0.5000  accuracy 0.7500  val_loss 0.2500  val_accuracy 0.8750  lr 0.00100  1.3 s\n',
    );
  });

  it('prints plain lines (no redraws) when not a TTY', () => {
    let out = '';
    const p = consoleProgress({ write: (s: string) => (out += s) }, { plainEverySeconds: 0 });
    p(batch(1));
    p({ kind: 'epoch', record, epochs: 2, checkpoint: 'c' });
    expect(out).not.toContain('\r');
    expect(out.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('formats summaries and confusion matrices', () => {
    expect(epochSummary(record, 2)).toBe('epoch 1/2  loss 0.5000  accuracy 0.7500  val_loss 0.2500  val_accuracy 0.8750  lr 0.00100  1.3 s');
    expect(formatConfusion({ classes: 2, classNames: ['cat', 'dog'], matrix: [[5, 1], [0, 12]] })).toBe(
      ['confusion matrix (rows: true class, columns: predicted)', '        cat   dog', '  cat     5     1', '  dog     0    12'].join('\n'),
    );
  });
});
