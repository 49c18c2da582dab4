/**
 * `dlm predict` on images: PNG and JPEG of any size and channel count are converted to the model's
 * input with a one-line note; an image bomb (a small file of a huge image) is refused from its
 * header before decoding, under a limit that a flag and an environment variable change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { initializeParams, PluginRegistry } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { CHECKPOINT_FORMAT } from '@dlm/train';
import { irHash, saveCheckpoint } from '@dlm/train/node';
import { dlm, tempDir } from './helpers.js';

const MODELS: Record<string, string> = {
  grey: 'model Grey {\n  input x: f32[batch, 1, 8, 8]\n  output y: f32[batch, 2]\n  y = x |> flatten |> dense(2)\n}\n',
  rgb: 'model Rgb {\n  input x: f32[batch, 3, 8, 8]\n  output y: f32[batch, 2]\n  y = x |> flatten |> dense(2)\n}\n',
};

/** A folder with the model and a checkpoint of freshly initialized weights in `run/`. */
async function modelDir(kind: 'grey' | 'rgb', files: Record<string, string | Uint8Array> = {}): Promise<string> {
  const dir = tempDir({ 'm.dlm': MODELS[kind]! });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const graph = compileFile(join(dir, 'm.dlm'), { registry }).program.models[0]!;
  const weights = new Map([...initializeParams(graph, 7)].map(([k, v]) => [k, { dtype: 'F32' as const, shape: graph.params.find((p) => p.name === k)!.type.shape as number[], data: v }]));
  const state = { format: CHECKPOINT_FORMAT, model: graph.name, irHash: { [graph.name]: irHash(graph) }, epoch: 1, step: 1, rng: { seed: 0, counter: 0 }, history: [], optimizer: { name: 'sgd', args: {} } };
  await saveCheckpoint(join(dir, 'run'), { weights, optimizer: new Map(), state });
  return dir;
}

const predict = (dir: string, input: string, extra: string[] = [], env: Record<string, string> = {}) =>
  dlm(['predict', 'm.dlm', '--backend', 'cpu', '--checkpoint', 'run', '--input', input, ...extra], dir, env);

function rgbaPng(w: number, h: number): Buffer {
  const data = Buffer.from(Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 200 : (i * 13) % 256)));
  return PNG.sync.write({ width: w, height: h, data } as unknown as PNG, { colorType: 6 });
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A valid 30000×30000 1-bit PNG of zeros: ~110 KB on disk, 3.6 GB once decoded to RGBA. */
function pngBomb(): Buffer {
  const side = 30000;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grey
  const rows = deflateSync(Buffer.alloc(side * (side / 8 + 1)), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', new Uint8Array(0))]);
}

describe('dlm predict on images', () => {
  it('converts and resizes any image to the model input, with a note; an exact fit gets none', async () => {
    const exact = PNG.sync.write({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 255) } as unknown as PNG, { colorType: 0, inputColorType: 6 });
    const photo = jpeg.encode({ width: 40, height: 30, data: Buffer.alloc(40 * 30 * 4, 128) }, 90).data;
    const dir = await modelDir('grey', { 'big.png': rgbaPng(40, 30), 'exact.png': exact, 'photo.jpg': photo });
    const big = await predict(dir, 'big.png');
    expect(big.code, big.stderr).toBe(0);
    expect(big.stderr).toContain("note: 'big.png' (RGBA PNG): transparency composited on white; converted to grey (ITU-R 601 luma); resized from 40×30 to 8×8 (bilinear, area-averaging when shrinking)\n");
    expect(big.stdout).toMatch(/^big\.png: class [01] /);
    const fit = await predict(dir, 'exact.png');
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stderr).not.toContain('note:');
    const jpg = await predict(dir, 'photo.jpg');
    expect(jpg.code, jpg.stderr).toBe(0);
    expect(jpg.stderr).toContain("note: 'photo.jpg' (JPEG): resized from 40×30 to 8×8");
  }, 60_000);

  it('repeats grey into RGB for a colour model', async () => {
    const grey = PNG.sync.write({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 90) } as unknown as PNG, { colorType: 0, inputColorType: 6 });
    const dir = await modelDir('rgb', { 'g.png': grey });
    const r = await predict(dir, 'g.png');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("note: 'g.png' (grey PNG): grey repeated into RGB\n");
  }, 60_000);

  it('refuses a 30000×30000 PNG bomb from its header, without decoding it', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(1_000_000);
    const dir = await modelDir('grey', { 'bomb.png': bomb });
    const before = process.memoryUsage().rss;
    const r = await predict(dir, 'bomb.png');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[DLM9024]: 'bomb.png' is a 30000×30000 image (900,000,000 pixels), more than the limit of 50,000,000 pixels; it was refused before decoding.");
    expect(process.memoryUsage().rss - before).toBeLessThan(200_000_000);
  }, 60_000);

  it('the limit is configurable by flag and by DLM_MAX_IMAGE_PIXELS; a malformed one is DLM9027', async () => {
    const dir = await modelDir('grey', { 'big.png': rgbaPng(40, 30) });
    const byFlag = await predict(dir, 'big.png', ['--max-image-pixels', '1000']);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stderr).toContain("error[DLM9024]: 'big.png' is a 40×30 image (1,200 pixels), more than the limit of 1,000 pixels");
    const byEnv = await predict(dir, 'big.png', [], { DLM_MAX_IMAGE_PIXELS: '1199' });
    expect(byEnv.stderr).toContain('more than the limit of 1,199 pixels');
    expect((await predict(dir, 'big.png', ['--max-image-pixels', '1200'], { DLM_MAX_IMAGE_PIXELS: '10' })).code).toBe(0); // the flag wins
    const bad = await predict(dir, 'big.png', ['--max-image-pixels', '5e3']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error[DLM9027]: --max-image-pixels (or DLM_MAX_IMAGE_PIXELS) must be a positive whole number of pixels, got '5e3'.");
  }, 60_000);

  it('a file that is not an image, or a damaged one, is a diagnostic naming it', async () => {
    const good = rgbaPng(8, 8);
    const dir = await modelDir('grey', { 'text.png': 'just text', 'cut.png': good.subarray(0, good.length - 30) });
    const text = await predict(dir, 'text.png');
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/error\[DLM9025\]: 'text\.png' is not an image dlm can read \(.+\); give a PNG or JPEG file\./);
    const cut = await predict(dir, 'cut.png');
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/error\[DLM9026\]: 'cut\.png' looks like a PNG image but cannot be decoded: /);
    for (const r of [text, cut]) expect(r.stderr).not.toMatch(/internal error|at .*\.(ts|js):\d+/i);
  }, 60_000);
});
