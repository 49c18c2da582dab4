/**
 * Run folders through the command line (issue 13.1): another run trains beside the folder and the
 * path is printed, `--resume` and `dlm eval` on another run's folder name both sides,
 * `--init-from` fine-tunes into a new folder, and a report that cannot be written is a sentence
 * saying the checkpoint is safe.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dlm, tempDir } from './helpers.js';

const rows = (k: number) => Array.from({ length: 24 }, (_, i) => `${(i % 6) / 6},${((i * k) % 5) / 5},${i % 2}`).join('\n');
const model = (csv: string, seed: number) => `model P {
  input x: f32[batch, 2]
  output y: f32[batch, 1]
  y = x |> dense(4) |> relu |> dense(1) |> sigmoid
}
train P {
  data csv(path: "${csv}", batch: 8)
  loss bce
  optimizer sgd(lr: 0.1)
  epochs 1
  seed ${seed}
}
`;
const FLAGS = ['--backend', 'cpu', '--workers', '1'];

describe('dlm train: a run folder belongs to one run', () => {
  it('another run goes beside the folder; --resume and eval on a mismatched run name both sides; --init-from fine-tunes', async () => {
    const dir = tempDir({ 'a.csv': `a,b,label\n${rows(3)}\n`, 'b.csv': `a,b,label\n${rows(7)}\n`, 'p.dlm': model('a.csv', 1), 'p2.dlm': model('a.csv', 2), 'pb.dlm': model('b.csv', 1) });
    const first = await dlm(['train', 'p.dlm', ...FLAGS], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`run directory: ${join(dir, 'runs/p')} (`);

    // Another seed: a new run, in a new folder, and the output says which.
    const second = await dlm(['train', 'p2.dlm', ...FLAGS], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`${join(dir, 'runs/p')} holds other training settings (training settings: this run has supervised, loss bce(), optimizer sgd, seed 2,`);
    expect(second.stdout).toContain(`run directory: ${join(dir, 'runs/p-csv')} (`);
    expect(JSON.parse(readFileSync(join(dir, 'runs/p/epoch-1/state.json'), 'utf8')).fingerprint.task).toContain('seed 1');

    // --resume of the seed-2 run finds its folder; of a run on b.csv (never trained) it is DLM5084.
    const resumed = await dlm(['train', 'p2.dlm', ...FLAGS, '--resume', '--epochs', '2'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`run directory: ${join(dir, 'runs/p-csv')} (checkpoint ${join(dir, 'runs/p-csv/epoch-2')};`);
    const refused = await dlm(['train', 'pb.dlm', ...FLAGS, '--resume'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error[DLM5084]: Run folder '${join(dir, 'runs/p')}' holds another run (another dataset), so --resume cannot continue it.`);
    expect(refused.stderr).toMatch(/note: dataset: this run has csv\(.*path: "b\.csv".*\); the folder has csv\(.*path: "a\.csv"/);

    // eval of the a.csv checkpoint on b.csv.
    const evaluated = await dlm(['eval', 'pb.dlm', '--checkpoint', 'runs/p', '--backend', 'cpu'], dir);
    expect(evaluated.code).toBe(1);
    expect(evaluated.stderr).toContain(`error[DLM5086]: Checkpoint '${join(dir, 'runs/p/epoch-1')}' was not trained for this evaluation: it was trained for another dataset.`);
    expect((await dlm(['eval', 'p.dlm', '--checkpoint', 'runs/p', '--backend', 'cpu'], dir)).code).toBe(0);

    // A fine-tune on b.csv from the a.csv weights: a new run with its own folder.
    const tuned = await dlm(['train', 'pb.dlm', ...FLAGS, '--init-from', 'runs/p'], dir);
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(tuned.stderr).toContain(`fine-tuning: starting from the weights of ${join(dir, 'runs/p/epoch-1')}`);
    expect(tuned.stdout).toContain(`run directory: ${join(dir, 'runs/p-csv-2')} (`);
    const both = await dlm(['train', 'pb.dlm', ...FLAGS, '--init-from', 'runs/p', '--resume'], dir);
    expect(both.code).toBe(2);
  }, 120_000);

  it('a report that cannot be written says the checkpoint is saved', async () => {
    const dir = tempDir({ 'a.csv': `a,b,label\n${rows(3)}\n`, 'p.dlm': model('a.csv', 1) });
    mkdirSync(join(dir, 'run/report.html'), { recursive: true });
    const r = await dlm(['train', 'p.dlm', ...FLAGS, '--run-dir', 'run'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`training finished and its checkpoint ${join(dir, 'run/epoch-1')} is saved, but the report could not be written: cannot write '${join(dir, 'run/report.html')}': it is a directory`);
  }, 60_000);
});
