/**
 * Renders every diagram with the real Mermaid package in headless Chromium (one browser for the
 * whole file) and checks that Mermaid accepts it and that every box's label is in the SVG text.
 *
 * Load-proof: a browser start and a large render can take many seconds on a busy machine, so the
 * limits are generous (a hung test still fails, just not a slow one); the time-limit guard is
 * tested with a page whose render never resolves, not with a limit too short to meet. Skipped
 * with its reason when Chromium is missing, except under CI where it is required (system-tools).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiagramError, MermaidRenderer, renderMany, renderSvg, toMermaid } from '../src/index.js';
import { branches, gan, hostile, HOSTILE, mnistCnn, resnet } from './fixtures.js';
import { classOf, compileDlm, exampleFiles, stemOf, testModelFiles } from './models.js';
import { needs, systemTool } from '../../../tools/test-support/system-tools.js';

const browser = systemTool('chromium');
beforeEach(needs('chromium'));
/** Browser start: seconds when idle, tens of seconds when many test runs share the cores. */
const START_MS = 180_000;
/** One test: a few renders of up to a few hundred boxes. */
const TEST_MS = 120_000;

let r: MermaidRenderer | undefined;
beforeAll(async () => {
  if (browser.available) r = await MermaidRenderer.open();
}, START_MS);
afterAll(async () => {
  await r?.close();
});

/** The open renderer (beforeAll failed if there is none, and every test says so). */
function renderer(): MermaidRenderer {
  if (!r) throw new Error('the renderer did not open (see the beforeAll error)');
  return r;
}

/** The text content of an SVG: tags dropped, entities decoded, whitespace collapsed. */
function svgText(svg: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** Every label line of every box, subgraph and edge, as Mermaid should display it. */
function labelsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"/g)) {
    for (const line of m[1]!.split('<br/>')) {
      out.push(line.replace(/#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d))).replace(/\s+/g, ' ').trim());
    }
  }
  return out.filter((l) => l.length > 0);
}

async function expectRendered(text: string): Promise<string> {
  const svg = await renderer().svg(text);
  expect(svg.startsWith('<svg')).toBe(true);
  const content = svgText(svg);
  for (const label of labelsOf(text)) expect(content.includes(label), `label ${JSON.stringify(label)} missing from SVG`).toBe(true);
  return svg;
}

describe('rendering with real Mermaid', { timeout: TEST_MS }, () => {
  for (const file of [...exampleFiles(), ...testModelFiles()]) {
    it(stemOf(file), async () => {
      const program = compileDlm(file);
      await expectRendered(toMermaid(program, { classOf }));
      await expectRendered(toMermaid(program, { fold: false }));
      await expectRendered(toMermaid(program, { depth: 1, direction: 'LR' }));
    });
  }

  it('renders builder fixtures, several models and a plugin class', async () => {
    for (const g of [[mnistCnn()], [resnet()], [branches()], gan()]) await expectRendered(toMermaid(g, { classOf: (k) => (k === 'mlp2' ? 'attention' : undefined) }));
  });

  it('renders hostile names as plain text: no injected nodes, markup or styles', async () => {
    const text = toMermaid([hostile()]);
    const svg = await expectRendered(text);
    const content = svgText(svg);
    for (const h of HOSTILE) expect(content.includes(h.replace(/\s+/g, ' ').trim()), `hostile text ${JSON.stringify(h)}`).toBe(true);
    // No node that the hostile text tried to create, no live HTML, no forest theme from a directive.
    // (Assertions on booleans: a failure must not print a 100 kB SVG.)
    expect(/flowchart-evil-/.test(svg), 'a node injected by a label').toBe(false);
    expect(/<img/i.test(svg), 'live <img>').toBe(false);
    expect(/<b>/.test(svg), 'live <b>').toBe(false);
    expect(/#dlm-diagram \.evil/.test(svg), 'injected classDef').toBe(false);
    expect(/style="[^"]*#f00|<style>[^<]*#f00/.test(svg), 'injected style').toBe(false);
    const boxes = (text.match(/^ *n_\w+[[(]/gm) ?? []).length;
    expect((svg.match(/class="node /g) ?? []).length).toBe(boxes);
  });

  it('gives byte-identical SVG for the same text (committed SVGs stay stable)', async () => {
    const text = toMermaid([branches()]);
    const a = await renderer().svg(text);
    await renderer().svg(toMermaid([mnistCnn()]));
    expect((await renderer().svg(text)) === a).toBe(true);
  });

  it('renders the dark theme', async () => {
    const svg = await renderer().svg(toMermaid([mnistCnn()]), { theme: 'dark' });
    expect(svgText(svg)).toContain('conv2d 10×5×5');
    // Node text stays dark on the mid-tone fills in both themes.
    expect(svg).toContain('color:#111111');
  });

  it('reports a Mermaid parse error as DLM7001 with Mermaid\'s message, not a stack', async () => {
    const err = await renderer().svg('flowchart TB\n  a["x" y"] --> b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagramError);
    const d = (err as DiagramError).diagnostic;
    expect(d.code).toBe('DLM7001');
    expect(d.message).toMatch(/Parse error on line 2/);
    expect(d.message).not.toMatch(/\n\s+at /);
    // The renderer keeps working after an error.
    await expectRendered(toMermaid([branches()]));
  });

  it('a diagram past Mermaid\'s size limit is DLM7001, not a picture of an error', async () => {
    // Checked before the browser sees it.
    const huge = `flowchart TB\n  a --> b\n${'%% padding padding padding\n'.repeat(200_000)}`;
    const err = await renderer().svg(huge).catch((e: unknown) => e);
    expect((err as DiagramError).diagnostic?.code).toBe('DLM7001');
    expect((err as DiagramError).message).toMatch(/Maximum text size/);
  });

  it('abandons a render that never finishes with DLM7001, replaces the page and keeps working', async () => {
    // Make this page's Mermaid hang: its render promise never settles, as a runaway layout would.
    // (The page is private; the test reaches it to build the one situation the guard exists for.)
    const page = (renderer() as unknown as { page: Page }).page;
    await page.evaluate(() => {
      const m = (globalThis as unknown as { mermaid: { render: unknown } }).mermaid;
      m.render = () => new Promise(() => undefined);
    });
    const started = Date.now();
    const err = await renderer().svg(toMermaid([mnistCnn()]), { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect((err as DiagramError).diagnostic?.code).toBe('DLM7001');
    expect((err as DiagramError).message).toMatch(/did not finish within 2 s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    // The hung page was replaced by a fresh one with the real Mermaid.
    expect((renderer() as unknown as { page: Page }).page).not.toBe(page);
    await expectRendered(toMermaid([mnistCnn()]));
  });

  it('renders PNG bytes', async () => {
    const png = await renderer().png(toMermaid([mnistCnn()]));
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(10_000);
  });
});

describe('one-shot helpers', { timeout: START_MS }, () => {
  // Each helper starts its own browser (seconds each), so only two of them run here; renderPng
  // is withRenderer + MermaidRenderer.png, both covered.
  it('renderSvg and renderMany start and close their own browser', async () => {
    const text = toMermaid([branches()]);
    expect((await renderSvg(text)).startsWith('<svg')).toBe(true);
    const [a, b] = await renderMany([text, toMermaid(gan())], { format: 'png', theme: 'dark', scale: 1 });
    expect((a as Uint8Array)[1]).toBe(0x50);
    expect((b as Uint8Array)[1]).toBe(0x50);
  });

  it('a missing browser is DLM7002 naming the path', async () => {
    const err = await renderSvg('flowchart TB\n a --> b', { executablePath: '/nonexistent/chromium' }).catch((e: unknown) => e);
    expect((err as DiagramError).diagnostic.code).toBe('DLM7002');
    expect((err as DiagramError).message).toContain('/nonexistent/chromium');
  });
});
