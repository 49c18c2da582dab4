/**
 * Logs of a run folder that the usual tools read, written after every checkpoint by every
 * trainer (supervised, GAN, any engine that saves through `folderCheckpoints`):
 *
 * - `metrics.csv`: one row per epoch, the header naming each column (`epoch, loss, <metric>…,
 *   val_loss, val_<metric>…, lr, seconds, <extra>…`); rewritten whole from the checkpoint's history,
 *   so after a resume it still holds every epoch once.
 * - TensorBoard event files (`events.out.tfevents.<time>.<host>.<pid>.<n>`, one per process; `n`
 *   the first number no file of the folder has, as TensorBoard's own writers add a counter, so two
 *   runs in the same second never share a file): TFRecord
 *   framing (length, masked CRC-32C of the length, an `Event` proto, masked CRC-32C of the data),
 *   a `file_version` event first, then per epoch one `Event` whose `Summary` holds scalar values
 *   tagged `train/<name>`, `val/<name>` and `lr`, with the epoch as the step.
 *
 * Protobuf is encoded with pbf and CRC-32C computed by crc-32 (both small, maintained libraries;
 * protobufjs would add 20 MB to every CLI install for the three messages used here).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PbfWriter } from 'pbf';
import CRC32C from 'crc-32/crc32c.js';
import type { EpochRecord } from '../state.js';

/** Column names and values of one epoch, in a stable order. */
function columnsOf(r: EpochRecord): [string, number][] {
  return [
    ['epoch', r.epoch],
    ['loss', r.loss],
    ...Object.entries(r.metrics),
    ...(r.val ? ([['val_loss', r.val.loss], ...Object.entries(r.val.metrics).map(([k, v]) => [`val_${k}`, v])] as [string, number][]) : []),
    ['lr', r.lr],
    ['seconds', r.seconds],
    ...Object.entries(r.extra ?? {}),
  ];
}

/** The CSV text of a history: the header is every column any epoch has, in order of first appearance. */
export function metricsCsv(history: readonly EpochRecord[]): string {
  const header: string[] = [];
  const rows = history.map((r) => {
    const row = new Map(columnsOf(r));
    for (const k of row.keys()) if (!header.includes(k)) header.push(k);
    return row;
  });
  const cell = (v: number | undefined) => (v === undefined ? '' : Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v));
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [header.map(quote).join(','), ...rows.map((row) => header.map((k) => cell(row.get(k))).join(','))].join('\n') + '\n';
}

/** TensorBoard's scalars of one epoch: `train/<name>`, `val/<name>`, `lr`. */
export function scalarsOf(r: EpochRecord): [string, number][] {
  return [
    ['train/loss', r.loss],
    ...Object.entries(r.metrics).map(([k, v]) => [`train/${k}`, v] as [string, number]),
    ...Object.entries(r.extra ?? {}).map(([k, v]) => [`train/${k}`, v] as [string, number]),
    ...(r.val ? ([['val/loss', r.val.loss], ...Object.entries(r.val.metrics).map(([k, v]) => [`val/${k}`, v])] as [string, number][]) : []),
    ['lr', r.lr],
  ];
}

/** One `tensorflow.Event` (event.proto): wall_time = 1, step = 2, file_version = 3, summary = 5. */
export function encodeEvent(e: { wallTime: number; step: number; fileVersion?: string; scalars?: readonly [string, number][] }): Uint8Array {
  const pbf = new PbfWriter();
  pbf.writeDoubleField(1, e.wallTime);
  pbf.writeVarintField(2, e.step);
  if (e.fileVersion !== undefined) pbf.writeStringField(3, e.fileVersion);
  if (e.scalars) {
    // Summary { repeated Value value = 1 }, Value { string tag = 1; float simple_value = 2 }.
    pbf.writeMessage(5, (scalars: readonly [string, number][], summary: PbfWriter) => {
      for (const [tag, v] of scalars) {
        summary.writeMessage(1, (s: [string, number], value: PbfWriter) => {
          value.writeStringField(1, s[0]);
          value.writeFloatField(2, s[1]);
        }, [tag, v] as [string, number]);
      }
    }, e.scalars);
  }
  return pbf.finish();
}

/** TFRecord's masked CRC-32C: rotated right by 15 bits plus a constant, so CRCs of CRCs stay strong. */
function maskedCrc(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord: uint64 length, masked CRC of the length, the data, masked CRC of the data (little-endian). */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc(data), true);
  return out;
}

export const EVENT_FILE_PREFIX = 'events.out.tfevents.';

/**
 * Creates a new event file holding `first` and returns its path: `<prefix><secs>.<host>.<pid>.<n>`
 * with the first `n` from 0 that no file has. The exclusive create ('wx') makes this hold even
 * when another writer picks the same name at the same moment: it then takes the next `n`.
 */
async function createEventFile(runDir: string, first: Uint8Array): Promise<string> {
  const stem = path.join(runDir, `${EVENT_FILE_PREFIX}${Math.floor(Date.now() / 1000)}.${os.hostname()}.${process.pid}.`);
  for (let n = 0; ; n++) {
    try {
      await fs.writeFile(`${stem}${n}`, first, { flag: 'wx' });
      return `${stem}${n}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * The logs of one training process in `runDir`. `record(history)` runs after each checkpoint:
 * it rewrites metrics.csv and appends the epochs this process has not logged yet to its event file.
 * A run that starts at epoch 1 replaces the event files an earlier run left in the folder (its
 * checkpoints are being replaced too); a resumed run adds a file beside them.
 */
export class RunLogs {
  private eventFile: string | undefined;
  private lastLogged = -Infinity;

  constructor(private readonly runDir: string, private readonly log?: (m: string) => void) {}

  async record(history: readonly EpochRecord[]): Promise<void> {
    const newest = history[history.length - 1];
    if (!newest) return;
    const csv = path.join(this.runDir, 'metrics.csv');
    await fs.writeFile(`${csv}.tmp`, metricsCsv(history));
    await fs.rename(`${csv}.tmp`, csv);

    if (!this.eventFile) {
      if (history.length === 1) await this.removeEarlierEventFiles();
      this.eventFile = await createEventFile(this.runDir, tfRecord(encodeEvent({ wallTime: Date.now() / 1000, step: 0, fileVersion: 'brain.Event:2' })));
      this.lastLogged = newest.epoch - 1;
    }
    const fresh = history.filter((r) => r.epoch > this.lastLogged);
    if (fresh.length === 0) return;
    const records = fresh.map((r) => tfRecord(encodeEvent({ wallTime: Date.now() / 1000, step: r.epoch, scalars: scalarsOf(r) })));
    await fs.appendFile(this.eventFile, Buffer.concat(records));
    this.lastLogged = newest.epoch;
  }

  private async removeEarlierEventFiles(): Promise<void> {
    const names = (await fs.readdir(this.runDir).catch(() => [] as string[])).filter((n) => n.startsWith(EVENT_FILE_PREFIX));
    for (const n of names) await fs.rm(path.join(this.runDir, n), { force: true });
    if (names.length > 0) this.log?.(`replaced the TensorBoard event file(s) of an earlier run in ${this.runDir} (this run starts at epoch 1)`);
  }
}
