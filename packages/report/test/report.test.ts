import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  confusionMatrixFromLabels,
  confusionMatrixSvg,
  confusionMatrixText,
  encodePng,
  historyFromRecords,
  lossCurveSvg,
  reportHtml,
  sampleGridPng,
  type HistoryPoint,
} from '../src/index.js';
import { needs, systemTool } from '../../../tools/test-support/system-tools.js';

const GOLDEN_DIR = fileURLToPath(new URL('./goldens/', import.meta.url));

/** Compares with the golden file; `UPDATE_GOLDEN=1` rewrites it. */
function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing golden ${file}; run with UPDATE_GOLDEN=1 to create it`);
    fs.writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

/** Minimal XML well-formedness check: balanced tags, quoted attributes, no stray '<' or '&'. */
function expectWellFormed(xml: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<(?![/a-zA-Z!])/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(xml))) {
    const between = xml.slice(last, m.index);
    expect(between).not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/);
    last = re.lastIndex;
    if (m[0] === '<') throw new Error(`stray '<' at ${m.index}`);
    if (!m[2]) continue;
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
  }
  expect(stack).toEqual([]);
  expect(xml.replace(re, '')).not.toMatch(/[<>]/);
}

const HISTORY: HistoryPoint[] = [
  { epoch: 1, metrics: { loss: 0.92, accuracy: 0.71, val_loss: 0.55, val_accuracy: 0.83 } },
  { epoch: 2, metrics: { loss: 0.41, accuracy: 0.874, val_loss: 0.33, val_accuracy: 0.902 } },
  { epoch: 3, metrics: { loss: 0.3, accuracy: 0.912, val_loss: 0.29, val_accuracy: 0.915 } },
  { epoch: 4, metrics: { loss: 0.24, accuracy: 0.931, val_loss: 0.27, val_accuracy: 0.921 } },
  { epoch: 5, metrics: { loss: 0.2, accuracy: 0.944, val_loss: 0.28, val_accuracy: 0.919 } },
];

describe('lossCurveSvg', () => {
  it('draws one panel per quantity with train and validation series (golden)', () => {
    const svg = lossCurveSvg(HISTORY, { title: 'MnistCnn on mnist' });
    golden('loss-curve.svg', svg);
    expectWellFormed(svg);
    expect(svg.match(/<g class="panel" data-metric="(\w+)">/g)).toEqual(['<g class="panel" data-metric="loss">', '<g class="panel" data-metric="accuracy">']);
    expect(svg.match(/<path /g)).toHaveLength(4);
    expect(svg.match(/<circle /g)).toHaveLength(20);
    expect(svg).toContain('>validation</text>');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('maps values linearly to heights (SVG y grows downwards) and epochs evenly to x', () => {
    const svg = lossCurveSvg(HISTORY);
    const cys = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*><title>train loss, epoch (\d)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(cys).toHaveLength(5);
    // SVG y grows downwards: decreasing loss → increasing y; epochs → increasing x, evenly spaced.
    for (let i = 1; i < 5; i++) {
      expect(cys[i][1]).toBeGreaterThan(cys[i - 1][1]);
      expect(cys[i][0] - cys[i - 1][0]).toBeCloseTo(cys[1][0] - cys[0][0], 1);
    }
    // Linear scale: (0.92 - 0.41) / (0.41 - 0.2) = ratio of the pixel distances.
    expect((cys[1][1] - cys[0][1]) / (cys[4][1] - cys[1][1])).toBeCloseTo((0.92 - 0.41) / (0.41 - 0.2), 1);
  });

  it('breaks the line at a non-finite value and survives one epoch and flat series', () => {
    const svg = lossCurveSvg([
      { epoch: 1, metrics: { loss: 1 } },
      { epoch: 2, metrics: { loss: Number.NaN } },
      { epoch: 3, metrics: { loss: 0.5 } },
    ]);
    expect(svg.match(/d="([^"]*)"/)![1].match(/M/g)).toHaveLength(2);
    const one = lossCurveSvg([{ epoch: 7, metrics: { loss: 0.25, test_loss: 0.25 } }]);
    expectWellFormed(one);
    expect(one).not.toMatch(/NaN|Infinity/);
    expect(one).toContain('>test</text>');
    expect(one).toContain('>7</text>');
    expect(lossCurveSvg([])).toContain('no history');
  });

  it('historyFromRecords flattens trainer records with val_ prefixes and extras', () => {
    // A record as @dlm/train writes it (lr and seconds are not plotted).
    const record = { epoch: 1, loss: 0.5, metrics: { accuracy: 0.8 }, val: { loss: 0.6, metrics: { accuracy: 0.7 } }, lr: 1e-3, seconds: 2, extra: { d_loss: 1.2 } };
    const h = historyFromRecords([record]);
    expect(h).toEqual([{ epoch: 1, metrics: { loss: 0.5, accuracy: 0.8, d_loss: 1.2, val_loss: 0.6, val_accuracy: 0.7 } }]);
  });
});

const MATRIX = [
  [50, 2, 0],
  [3, 40, 7],
  [0, 5, 45],
];

describe('confusion matrices', () => {
  it('text: counts, recall per row, precision per column, accuracy (golden)', () => {
    const t = confusionMatrixText(MATRIX, ['cat', 'dog', 'horse']);
    golden('confusion.txt', t);
    expect(t).toContain('96.2%'); // cat recall 50/52
    expect(t).toContain('accuracy 88.8% (135 of 152)');
    expect(confusionMatrixText([[0, 0], [0, 0]])).toContain('accuracy - (0 of 0)');
  });

  it('svg heatmap (golden), shading by row share', () => {
    const svg = confusionMatrixSvg(MATRIX, ['cat', 'dog', 'horse'], { title: 'test split' });
    golden('confusion.svg', svg);
    expectWellFormed(svg);
    expect(svg.match(/<rect x="\d+" y="\d+" width="36"/g)).toHaveLength(9);
    // Diagonal cells are dark (share > 0.5) with white text; an empty cell is white.
    expect(svg).toMatch(/fill="#f7fbff" stroke="#ffffff"><title>actual cat, predicted horse: 0 \(0\.0% of the row\)/);
    expect(svg).toMatch(/<text [^>]*fill="#ffffff">50<\/text>/);
    expect(confusionMatrixSvg([[1]], undefined, { cell: 10 })).not.toMatch(/>1<\/text>/);
  });

  it('fromLabels counts pairs; malformed input is an error', () => {
    expect(confusionMatrixFromLabels([0, 1, 1, 2], [0, 1, 2, 2], 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
    expect(() => confusionMatrixFromLabels([0, 3], [0, 1], 3)).toThrow(/outside 0..2/);
    expect(() => confusionMatrixText([[1, 2], [3]])).toThrow(/row 1 has 1 entries, expected 2/);
    expect(() => confusionMatrixSvg([[1]], ['a', 'b'])).toThrow(/2 class names for a 1×1/);
  });
});

/** An independent minimal PNG reader: chunks with CRCs checked by zlib.crc32, IDAT inflated, rows unfiltered. */
function decodePng(png: Uint8Array): { width: number; height: number; colorType: number; pixels: Uint8Array } {
  expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  const chunks: { type: string; data: Uint8Array }[] = [];
  while (off < png.length) {
    const len = view.getUint32(off);
    const type = Buffer.from(png.subarray(off + 4, off + 8)).toString('latin1');
    const data = png.subarray(off + 8, off + 8 + len);
    expect(view.getUint32(off + 8 + len)).toBe(zlibCrc32(png.subarray(off + 4, off + 8 + len)));
    chunks.push({ type, data });
    off += 12 + len;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ih = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
  const width = ih.getUint32(0);
  const height = ih.getUint32(4);
  expect(chunks[0].data[8]).toBe(8);
  const colorType = chunks[0].data[9];
  const channels = { 0: 1, 4: 2, 2: 3, 6: 4 }[colorType]!;
  const raw = inflateSync(chunks[1].data);
  const stride = width * channels;
  expect(raw.length).toBe(height * (stride + 1));
  const pixels = new Uint8Array(height * stride);
  // Undo the row filters (None, Sub, Up, Average, Paeth) as the PNG specification defines them.
  const at = (y: number, x: number) => (y < 0 || x < 0 ? 0 : pixels[y * stride + x]!);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    expect(filter).toBeLessThanOrEqual(4);
    for (let x = 0; x < stride; x++) {
      const a = at(y, x - channels);
      const b = at(y - 1, x);
      const c = at(y - 1, x - channels);
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter]!;
      pixels[y * stride + x] = (raw[y * (stride + 1) + 1 + x]! + pred) & 255;
    }
  }
  return { width, height, colorType, pixels };
}

/** Pillow (Debian's python3-pil), as a second, independent PNG decoder. */
const pillow = systemTool('python3-pil');

describe('PNG', () => {
  it('encodes grey, grey+alpha, RGB and RGBA that decode back to the same pixels', () => {
    for (const channels of [1, 2, 3, 4]) {
      const w = 5;
      const h = 3;
      const px = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37 + channels) % 256);
      const d = decodePng(encodePng(w, h, px));
      expect(d).toEqual({ width: w, height: h, colorType: { 1: 0, 2: 4, 3: 2, 4: 6 }[channels], pixels: px });
    }
    expect(() => encodePng(4, 4, new Uint8Array(17))).toThrow(/17 bytes is not 4×4 pixels/);
  });

  it('sampleGridPng tiles NCHW images, maps tanh [-1, 1] to 0..255 and clamps', () => {
    // Two 2×2 grey images in tanh range; 2 columns, 1 px gaps on a black background.
    const imgs = Float32Array.from([-1, 0, 1, 2, /* second */ 0.5, -0.5, -3, 1]);
    const d = decodePng(sampleGridPng(imgs, 2, 1, 2, 2, 2, { gap: 1, background: 0 }));
    expect([d.width, d.height, d.colorType]).toEqual([7, 4, 0]);
    const row = (y: number) => Array.from(d.pixels.subarray(y * 7, (y + 1) * 7));
    expect(row(0)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(row(1)).toEqual([0, 0, 128, 0, 191, 64, 0]);
    expect(row(2)).toEqual([0, 255, 255, 0, 0, 255, 0]);
    // [0, 1] images in RGB, 3 images in 2 columns → 2 rows; the missing tile stays background.
    const rgb = new Float32Array(3 * 3 * 1 * 1);
    rgb.set([1, 0, 0], 0); // red
    rgb.set([0, 0.5, 0], 3); // half green
    rgb.set([0, 0, 1], 6); // blue
    const g = decodePng(sampleGridPng(rgb, 3, 3, 1, 1, 2, { gap: 0 }));
    expect([g.width, g.height, g.colorType]).toEqual([2, 2, 2]);
    expect(Array.from(g.pixels)).toEqual([255, 0, 0, 0, 128, 0, 0, 0, 255, 255, 255, 255]);
    expect(() => sampleGridPng(new Float32Array(8), 1, 2, 2, 2, 1)).toThrow(/1 \(grey\) or 3 \(RGB\) channels/);
  });

  it('Pillow decodes the PNG to the same pixels', (ctx) => {
    needs('python3-pil')(ctx);
    const w = 6;
    const h = 4;
    const px = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 53) % 256);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dlm-png-')), 'x.png');
    fs.writeFileSync(file, encodePng(w, h, px));
    const out = execFileSync(pillow.path, ['-c', 'import sys; from PIL import Image; im = Image.open(sys.argv[1]); print(im.mode, im.size[0], im.size[1]); sys.stdout.write(im.tobytes().hex())', file]).toString();
    const [head, hex] = out.split('\n');
    expect(head).toBe('RGBA 6 4');
    expect(hex).toBe(Buffer.from(px).toString('hex'));
  });
});

describe('reportHtml', () => {
  it('one self-contained page with curves, the confusion matrix and inline PNGs', () => {
    const png = encodePng(1, 1, new Uint8Array([200]));
    const html = reportHtml({
      title: 'Run <1>',
      facts: { model: 'MnistCnn', epochs: 5 },
      history: HISTORY,
      confusion: { matrix: MATRIX, classNames: ['cat', 'dog', 'horse'] },
      images: [{ caption: 'samples', png }],
      text: [{ caption: 'summary', body: 'dense  [batch, 10]' }],
    });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<title>Run &lt;1&gt;</title>');
    expect(html).toContain('<tr><th>epochs</th><td>5</td></tr>');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain(`src="data:image/png;base64,${Buffer.from(png).toString('base64')}"`);
    expect(html).not.toMatch(/src="http|href="http(?!:\/\/www\.w3\.org)/);
    expectWellFormed(html.replace(/^<!DOCTYPE html>\n/, '').replace(/<meta charset="utf-8">/, '<meta charset="utf-8"/>').replace(/<img ([^>]*)>/g, '<img $1/>'));
  });
});
