/**
 * Issue 13 item 4: every SVG dlm writes is well-formed XML (checked by a real XML parser) and
 * displays in an <img> in Chromium (its pixels are not blank) — Mermaid's own markup has `<br>`
 * inside foreignObject, which is neither. Covers freshly rendered diagrams and docs/diagrams/*.svg.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderMany, toMermaid } from '../src/index.js';
import { compileDlm, exampleFiles, REPO } from './models.js';
import { needs, systemTool } from '../../../tools/test-support/system-tools.js';

const DOCS = join(REPO, 'docs', 'diagrams');
const docSvgs = readdirSync(DOCS).filter((f) => f.endsWith('.svg')).sort();

/** Mermaid's raw markup as it was before serializing through XMLSerializer: the negative control. */
const HTML_FLAVOURED_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#36c"/>' +
  '<foreignObject width="120" height="40"><div xmlns="http://www.w3.org/1999/xhtml">a<br>b</div></foreignObject></svg>';

function xmlProblem(svg: string): string | undefined {
  const r = XMLValidator.validate(svg);
  return r === true ? undefined : `${r.err.code} at line ${r.err.line}: ${r.err.msg}`;
}

describe('SVGs are well-formed XML', () => {
  it('finds the committed diagrams', () => {
    expect(docSvgs.length).toBeGreaterThanOrEqual(5);
  });

  it.each(docSvgs)('docs/diagrams/%s parses as XML', (f) => {
    expect(xmlProblem(readFileSync(join(DOCS, f), 'utf8'))).toBeUndefined();
  });

  it('the parser rejects HTML-flavoured SVG (the check can fail)', () => {
    expect(xmlProblem(HTML_FLAVOURED_SVG)).toMatch(/br/);
  });
});

describe('SVGs display in <img> in Chromium', () => {
  const browserTool = systemTool('chromium');
  let browser: Browser;
  let page: Page;
  let rendered: string[] = [];
  beforeEach(needs('chromium'));
  beforeAll(async () => {
    if (!browserTool.available) return;
    const files = exampleFiles().filter((f) => /mnist_cnn|resnet|lstm/.test(f));
    rendered = (await renderMany(files.map((f) => toMermaid(compileDlm(f))))) as string[];
    browser = await chromium.launch({ executablePath: browserTool.path, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><body></body></html>');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

    interface BrowserGlobals {
    Image: new () => { src: string; naturalWidth: number; naturalHeight: number; decode(): Promise<void> };
    document: {
      createElement(tag: 'canvas'): {
        width: number;
        height: number;
        getContext(kind: '2d'): { drawImage(img: unknown, x: number, y: number, w: number, h: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
      };
    };
  }

  /** Loads the SVG as an <img> and counts its painted (non-transparent) pixels; -1 when it fails to load. */
  function paintedPixels(svg: string): Promise<{ width: number; height: number; painted: number }> {
    const src = `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
    return page.evaluate(async (src) => {
      // Runs in the page: the DOM types are not in this package's (Node) lib.
      const { Image, document } = globalThis as unknown as BrowserGlobals;
      const img = new Image();
      img.src = src;
      try {
        await img.decode();
      } catch {
        return { width: 0, height: 0, painted: -1 };
      }
      const w = Math.min(img.naturalWidth, 2000);
      const h = Math.min(img.naturalHeight, 4000);
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0, w, h);
      const data = g.getImageData(0, 0, w, h).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { width: w, height: h, painted };
    }, src);
  }

  it('rendered diagrams are XML and paint pixels', async () => {
    expect(rendered.length).toBeGreaterThanOrEqual(2);
    for (const svg of rendered) {
      expect(xmlProblem(svg)).toBeUndefined();
      const p = await paintedPixels(svg);
      expect(p.painted, 'the image failed to load').toBeGreaterThan(0);
      expect(p.painted / (p.width * p.height)).toBeGreaterThan(0.01);
    }
  }, 60_000);

  it.each(docSvgs)('docs/diagrams/%s paints pixels', async (f) => {
    const p = await paintedPixels(readFileSync(join(DOCS, f), 'utf8'));
    expect(p.painted, 'the image failed to load').toBeGreaterThan(0);
    expect(p.painted / (p.width * p.height)).toBeGreaterThan(0.01);
  });

  it('HTML-flavoured SVG does not load (the check can fail)', async () => {
    expect((await paintedPixels(HTML_FLAVOURED_SVG)).painted).toBe(-1);
  });
});
