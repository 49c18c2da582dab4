/**
 * End to end in headless Chromium (Debian's `chromium` through playwright-core): the built page
 * served from 127.0.0.1, then what a user does: type an error and see its diagnostic, fix it and
 * see the diagram, train a few steps and see the loss fall, export and load the ONNX file in
 * onnxruntime, whose outputs must match the page's own for the same digits.
 * `DLM_SCREENSHOTS=1` also writes docs/screenshots/playground-*.png.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as ort from 'onnxruntime-node';
import { needs, systemTool } from '../../../tools/test-support/system-tools.js';

const pkg = join(import.meta.dirname, '..');
const dist = join(pkg, 'dist/web');
const shots = process.env['DLM_SCREENSHOTS'] === '1' ? join(pkg, '../../docs/screenshots') : undefined;
const browserTool = systemTool('chromium');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json' };

let server: Server;
let browser: Browser;
let page: Page;
let url: string;
const requests: string[] = [];

beforeEach(needs('chromium'));

beforeAll(async () => {
  if (!browserTool.available) return;
  // The page is built here (not in `nx build`) so that the unit build stays fast.
  const vite = join(createRequire(join(pkg, 'package.json')).resolve('vite/package.json'), '..', 'bin/vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'error'], { cwd: pkg, stdio: 'pipe' });
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const file = join(dist, path === '' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  url = `http://127.0.0.1:${addr.port}/`;
  browser = await chromium.launch({ executablePath: browserTool.path, args: ARGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  // Offline: anything but the local server is a failure.
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise((r) => server.close(r));
});

const state = <T>(f: string) => page.evaluate(`window.dlmPlayground.${f}`) as Promise<T>;

/** Replaces the first occurrence of `from` in the editor by typing `to` over it (real key events). */
async function typeOver(from: string, to: string): Promise<void> {
  await page.evaluate((needle) => {
    const view = (window as unknown as { dlmEditor: { state: { doc: { toString(): string } }; dispatch(t: unknown): void; focus(): void } }).dlmEditor;
    const at = view.state.doc.toString().indexOf(needle);
    if (at < 0) throw new Error(`${needle} not in the editor`);
    view.focus();
    view.dispatch({ selection: { anchor: at, head: at + needle.length }, scrollIntoView: true });
  }, from);
  await page.keyboard.type(to, { delay: 10 });
}

describe('playground', () => {
  it('loads offline, shows the example with its summary and diagram, and names the backend', async () => {
    await page.goto(url);
    await page.waitForFunction(() => (window as any).dlmPlayground?.ready && document.querySelector('#diagram')?.getAttribute('data-state') === 'ok', null, { timeout: 60_000 });
    expect(await page.textContent('[data-testid=backend]')).toMatch(/^backend: (webgpu|webgl|cpu)$/);
    expect(await page.textContent('#summary')).toContain('MnistCnn: 21,840 params');
    expect(await page.textContent('#diagnostics')).toBe('No problems.');
    const svg = await page.innerHTML('#diagram');
    expect(svg).toContain('<svg');
    expect(svg).toContain('conv2d');
    expect(requests.every((r) => r.startsWith(url) || r.startsWith('data:') || r.startsWith('blob:'))).toBe(true);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'playground.png') });
    }
  }, 90_000);

  it('shows a diagnostic when the user types an error, and the diagram again when it is fixed', async () => {
    await typeOver('max_pool', 'maxpool');
    await page.waitForSelector('#diagnostics li[data-code=DLM2001]', { timeout: 20_000 });
    expect(await page.textContent('#diagnostics')).toContain("Unknown layer 'maxpool'. Did you mean 'max_pool'?");
    await page.waitForSelector('.cm-lintRange-error', { timeout: 10_000 });
    expect(await page.getAttribute('#diagram', 'data-state')).toBe('stale');
    expect(await page.isDisabled('[data-testid=train]')).toBe(true);
    if (shots) await page.screenshot({ path: join(shots, 'playground-diagnostic.png') });
    await typeOver('maxpool', 'max_pool');
    await page.keyboard.press('Escape'); // close the completion list typing opened
    await page.waitForFunction(() => document.querySelector('#diagram')?.getAttribute('data-state') === 'ok' && document.querySelector('#diagnostics')?.textContent === 'No problems.', null, { timeout: 30_000 });
    expect(await page.innerHTML('#diagram')).toContain('max_pool');
    expect(await page.isDisabled('[data-testid=train]')).toBe(false);
  }, 60_000);

  it('shows shapes and parameter counts on hover, and completes layer names', async () => {
    const at = await page.evaluate(() => {
      const view = (window as any).dlmEditor;
      const pos = view.state.doc.toString().indexOf('conv2d(filters: 10') + 2;
      const c = view.coordsAtPos(pos);
      return { x: (c.left + c.right) / 2, y: (c.top + c.bottom) / 2 };
    });
    await page.mouse.move(at.x, at.y);
    const tip = await page.waitForSelector('.dlm-hover', { timeout: 10_000 });
    expect(await tip.textContent()).toContain('f32[batch, 10, 24, 24] · 260 params');
    if (shots) await page.screenshot({ path: join(shots, 'playground-hover.png') });
    await page.mouse.move(5, 5);
    await typeOver('|> log_softmax', '|> log_so');
    const option = await page.waitForSelector('.cm-tooltip-autocomplete li:has-text("log_softmax")', { timeout: 10_000 });
    expect(await option.textContent()).toContain('log_softmax');
    await page.keyboard.press('Escape');
    await page.keyboard.type('ftmax', { delay: 10 });
    await page.waitForFunction(() => document.querySelector('#diagnostics')?.textContent === 'No problems.', null, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as any).dlmEditor.state.doc.toString())).toContain('|> log_softmax\n}');
  }, 60_000);

  it('trains a few steps in the browser and the loss falls', async () => {
    await page.fill('#steps', '30');
    await page.click('[data-testid=train]');
    await page.waitForFunction(() => document.querySelector('#status')?.getAttribute('data-state') !== 'training' && (window as any).dlmPlayground.training === false && (window as any).dlmPlayground.losses.length > 0, null, { timeout: 90_000 });
    expect(await page.getAttribute('#status', 'data-state')).toBe('done');
    const losses = await state<number[]>('losses');
    expect(losses.length).toBe(30);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // From chance (ln 10 ≈ 2.30) down.
    expect(mean(losses.slice(0, 3))).toBeGreaterThan(1.9);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 0.3);
    expect(await page.locator('#loss polyline').count()).toBe(1);
    if (shots) await page.screenshot({ path: join(shots, 'playground-trained.png') });
  }, 120_000);

  it('exports an ONNX file that onnxruntime loads and that computes what the page computed', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
    expect(download.suggestedFilename()).toBe('MnistCnn.onnx');
    const bytes = readFileSync((await download.path())!);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['image']);
    expect(session.outputNames).toEqual(['logits']);
    const probe = await state<{ input: number[]; inputShape: number[]; output: number[]; outputShape: number[] }>('trained.probe');
    const out = await session.run({ image: new ort.Tensor('float32', Float32Array.from(probe.input), probe.inputShape) });
    const logits = out['logits']!;
    expect(logits.dims).toEqual(probe.outputShape);
    const got = Array.from(logits.data as Float32Array);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(probe.output[i]!, 3);
  }, 60_000);
});
