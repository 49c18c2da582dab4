/**
 * The logs every run folder gets (node/run-logs.ts): metrics.csv and TensorBoard event files, read
 * back by independent readers (Python's csv module, and an event-file reader on python3-protobuf
 * that checks every record's CRC-32C itself), across a resume and a fresh restart.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setupBackend } from '@dlm/tfjs';
import { needs, systemTool } from '../../../tools/test-support/system-tools.js';
import type { EpochRecord } from '../src/index.js';
import { metricsCsv, RunLogs } from '../src/node/run-logs.js';
import { train } from './helpers/tfjs.js';
import { compile, makeRegistry, removeTempRunDirs, tempRunDir } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);
beforeAll(async () => {
  await setupBackend('cpu');
}, 60_000);

const READER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/read-tfevents.py');
const python = systemTool('python3-protobuf');

const SRC = (epochs: number) => `
model Mlp {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]
  prob = point |> dense(8) |> relu |> dense(1) |> sigmoid
}
train Mlp {
  data xor_points(batch: 16, n: 64)
  loss bce
  optimizer adam(lr: 0.02)
  epochs ${epochs}
  metrics accuracy
  seed 3
}`;

async function run(runDir: string, epochs: number, resume = false): Promise<EpochRecord[]> {
  const registry = makeRegistry();
  const program = compile(SRC(epochs), registry);
  const { result, diagnostics } = await train({ program, training: program.trainings[0]!, registry, runDir, resume });
  expect(diagnostics).toEqual([]);
  return result!.history;
}

const eventFiles = (runDir: string) => readdirSync(runDir).filter((n) => n.startsWith('events.out.tfevents.')).sort();

type Events = Record<string, { wall_time: number; step: number; file_version?: string; values: [string, number][] }[]>;

describe('run logs', () => {
  it('metrics.csv: a header of every column, one row per epoch, empty cells where an epoch lacks one', () => {
    const history: EpochRecord[] = [
      { epoch: 1, loss: 0.5, metrics: { accuracy: 0.75 }, lr: 0.01, seconds: 1.5 },
      { epoch: 2, loss: Number.NaN, metrics: { accuracy: 0.8 }, val: { loss: 0.25, metrics: { accuracy: 0.9 } }, lr: 0.005, seconds: 1.25, extra: { d_loss: 2 } },
    ];
    expect(metricsCsv(history)).toBe('epoch,loss,accuracy,lr,seconds,val_loss,val_accuracy,d_loss\n1,0.5,0.75,0.01,1.5,,,\n2,nan,0.8,0.005,1.25,0.25,0.9,2\n');
  });

  it('event files of runs in the same second, in the same process, never share a name (the counter after the pid)', async () => {
    const runDir = tempRunDir();
    mkdirSync(runDir, { recursive: true });
    const epoch = (e: number): EpochRecord => ({ epoch: e, loss: 1 / e, metrics: {}, lr: 0.01, seconds: 1 });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-01-02T03:04:05.250Z'));
      const stem = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.`;
      // Two resumed runs (histories longer than one epoch, so neither replaces the other's file).
      await new RunLogs(runDir).record([epoch(1), epoch(2)]);
      await new RunLogs(runDir).record([epoch(1), epoch(2), epoch(3)]);
      // Another writer already took the next name: the exclusive create moves on to the one after.
      const taken = eventFiles(runDir).map((n) => Number(n.split('.').pop()));
      expect(taken).toEqual([0, 1]);
      const other = eventFiles(runDir)[0]!.replace(/\.0$/, '.2');
      writeFileSync(path.join(runDir, other), 'not ours');
      await new RunLogs(runDir).record([epoch(1), epoch(2), epoch(3), epoch(4)]);
      const names = eventFiles(runDir);
      expect(names).toHaveLength(4);
      expect(names.every((n) => n.startsWith(stem) && n.includes(`.${process.pid}.`))).toBe(true);
      expect(names.map((n) => n.split('.').pop())).toEqual(['0', '1', '2', '3']);
      expect(readFileSync(path.join(runDir, other), 'utf8')).toBe('not ours');
      // Each of ours holds its records (a file_version event, then the newest epoch): same shape, same size.
      const sizes = names.filter((n) => n !== other).map((n) => readFileSync(path.join(runDir, n)).length);
      expect(sizes[0]).toBeGreaterThan(32);
      expect(new Set(sizes).size).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('training writes both; independent readers see every epoch once, across a resume; a fresh run replaces them', async (ctx) => {
    needs('python3-protobuf')(ctx);
    const runDir = tempRunDir();
    await run(runDir, 2);
    expect(eventFiles(runDir)).toHaveLength(1);
    const history = await run(runDir, 4, true);
    expect(history.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    const files = eventFiles(runDir);
    expect(files).toHaveLength(2); // one per process: the first run's and the resumed one's

    // metrics.csv through Python's csv module.
    const rows = JSON.parse(execFileSync(python.path, ['-c', 'import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1])))))', path.join(runDir, 'metrics.csv')]).toString()) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', 'seconds']);
    expect(rows.map((r) => Number(r['epoch']))).toEqual([1, 2, 3, 4]);
    rows.forEach((r, i) => {
      expect(Number(r['loss'])).toBe(history[i]!.loss);
      expect(Number(r['val_accuracy'])).toBe(history[i]!.val!.metrics['accuracy']);
    });

    // The event files through the Python reader (which exits non-zero on a bad CRC).
    const events = JSON.parse(execFileSync(python.path, [READER, ...files.map((f) => path.join(runDir, f))]).toString()) as Events;
    for (const f of files) expect(events[f]![0]).toMatchObject({ file_version: 'brain.Event:2', values: [] });
    const scalars = files.flatMap((f) => events[f]!.slice(1));
    expect(scalars.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    scalars.forEach((e, i) => {
      const r = history[i]!;
      const want: [string, number][] = [['train/loss', r.loss], ['train/accuracy', r.metrics['accuracy']!], ['val/loss', r.val!.loss], ['val/accuracy', r.val!.metrics['accuracy']!], ['lr', r.lr]];
      expect(e.values).toEqual(want.map(([tag, v]) => [tag, Math.fround(v)])); // simple_value is a float
      expect(e.wall_time).toBeGreaterThan(1.7e9);
    });

    // The reader checks the CRCs itself: one flipped byte in a record and it refuses the file.
    const tampered = path.join(runDir, 'tampered.tfevents');
    const bytes = readFileSync(path.join(runDir, files[1]!));
    bytes[bytes.length - 10] ^= 0x40;
    writeFileSync(tampered, bytes);
    expect(() => execFileSync(python.path, [READER, tampered], { stdio: 'pipe' })).toThrow(/bad record at byte/);

    // A run that starts over at epoch 1 replaces the logs with its own.
    await run(runDir, 1);
    expect(eventFiles(runDir)).toHaveLength(1);
    const again = JSON.parse(execFileSync(python.path, [READER, path.join(runDir, eventFiles(runDir)[0]!)]).toString()) as Events;
    expect(Object.values(again)[0]!.map((e) => e.step)).toEqual([0, 1]);
    expect(readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
  }, 120_000);
});
