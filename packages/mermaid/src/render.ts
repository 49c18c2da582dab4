/**
 * SVG and PNG rendering through the real Mermaid package in headless Chromium (driven by
 * playwright-core). Nothing is fetched from the network: the page is blank and Mermaid's bundled
 * `dist/mermaid.min.js` is injected from node_modules. One browser serves a whole batch
 * (`renderMany`, or a `MermaidRenderer` kept open), and is always closed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DiagramError } from './errors.js';
import { CHROMIUM_NAMES, chromiumLocations, findChromium } from './chromium.js';

export interface RenderOptions {
  theme?: 'default' | 'dark';
  /** Longest this render may take; past it the render is abandoned (DLM7001). Default 120 s. */
  timeoutMs?: number;
}

export interface RendererOptions {
  /** Chromium binary. Default: $DLM_CHROMIUM, else the first found by `findChromium` (PATH, then the usual places). */
  executablePath?: string;
  /** Pixel density of PNG output. Default 2. */
  scale?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Limits passed to Mermaid: far above its defaults, still a guard against runaway input. */
const MAX_TEXT = 5_000_000;
const MAX_EDGES = 50_000;

/** Page backgrounds matching Mermaid's themes, for PNGs (SVGs stay transparent). */
const BACKGROUND = { default: '#ffffff', dark: '#333333' } as const;

let mermaidSource: string | undefined;
function loadMermaidSource(): string {
  if (mermaidSource !== undefined) return mermaidSource;
  const require = createRequire(import.meta.url);
  let file = 'mermaid/dist/mermaid.min.js';
  try {
    file = require.resolve('mermaid/dist/mermaid.min.js');
    mermaidSource = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DiagramError('DLM7005', [file, e instanceof Error ? e.message : String(e)]);
  }
  return mermaidSource;
}

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

/** Mermaid's messages start with a parser dump; keep them, but drop Chromium's stack suffix. */
function cleanMermaidError(msg: string): string {
  return msg.replace(/\n\s+at .*$/gs, '').trim();
}

/**
 * A headless browser with Mermaid loaded. Open once, render many diagrams, close. Rendering is
 * sequential (Mermaid keeps global state per page).
 */
export class MermaidRenderer {
  private page: Page | undefined;
  private theme: string | undefined;
  private closed = false;

  private constructor(
    private readonly browser: Browser,
    private readonly scale: number,
    private readonly source: string,
  ) {}

  /** A blank page with no network and Mermaid injected. */
  private async mermaidPage(): Promise<Page> {
    const page = await this.browser.newPage({ deviceScaleFactor: this.scale });
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: this.source });
    return page;
  }

  static async open(opts: RendererOptions = {}): Promise<MermaidRenderer> {
    const source = loadMermaidSource();
    const executablePath = opts.executablePath ?? findChromium();
    if (executablePath === undefined) {
      throw new DiagramError('DLM7006', [CHROMIUM_NAMES.join(', '), chromiumLocations(process.platform, process.env).join(', ')]);
    }
    let browser: Browser;
    try {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      throw new DiagramError('DLM7002', [executablePath, why]);
    }
    const r = new MermaidRenderer(browser, opts.scale ?? 2, source);
    try {
      r.page = await r.mermaidPage();
    } catch (e) {
      await browser.close().catch(() => undefined);
      throw new DiagramError('DLM7005', ['mermaid.min.js', e instanceof Error ? e.message.split('\n')[0]! : String(e)]);
    }
    return r;
  }

  /** Renders Mermaid text to an SVG document string. Mermaid errors become DLM7001. */
  async svg(text: string, opts: RenderOptions = {}): Promise<string> {
    if (this.closed || !this.page) throw new Error('MermaidRenderer used after close()');
    const page = this.page;
    const theme = opts.theme ?? 'default';
    if (text.length > MAX_TEXT) {
      throw new DiagramError('DLM7001', [`Maximum text size in diagram exceeded: ${text.length} characters, the limit is ${MAX_TEXT}; draw fewer boxes (depth, folding, fewer models)`]);
    }
    const rendering = page.evaluate(
      async ({ text, theme, init, MAX_TEXT, MAX_EDGES }) => {
        const m = (globalThis as unknown as { mermaid: { initialize(c: object): void; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
        // A fixed seed: Mermaid draws some shapes with rough.js, which is random by default.
        // Mermaid's default limits (50,000 characters, 500 edges) are met by mid-sized unfolded
        // models; past them it draws an error picture instead of failing, so raise them.
        if (init) {
          m.initialize({
            startOnLoad: false,
            securityLevel: 'strict',
            theme,
            handDrawnSeed: 1,
            maxTextSize: MAX_TEXT,
            maxEdges: MAX_EDGES,
            flowchart: { htmlLabels: true },
          });
        }
        try {
          const { svg: html } = await m.render('dlm-diagram', text);
          // Mermaid returns HTML-flavoured markup (`<br>` inside foreignObject labels), which is
          // not XML: parse it as HTML and serialize the element as XML, as mermaid-cli does, so
          // the file opens in <img>, XML tools and code-hosting sites.
          const doc0 = (globalThis as unknown as { document: { createElement(t: string): { innerHTML: string; firstElementChild: unknown } } }).document;
          const holder = doc0.createElement('div');
          holder.innerHTML = html;
          const Serializer = (globalThis as unknown as { XMLSerializer: new () => { serializeToString(n: unknown): string } }).XMLSerializer;
          const svg = holder.firstElementChild ? new Serializer().serializeToString(holder.firstElementChild) : html;
          // Past maxTextSize Mermaid draws a box saying so instead of throwing. The length is
          // checked before the page is asked, so this only guards against Mermaid measuring
          // differently (after its own preprocessing).
          const sentinel = 'Maximum text size in diagram exceeded';
          if (svg.includes(sentinel) && !text.includes(sentinel)) return { ok: false as const, error: sentinel };
          return { ok: true as const, svg };
        } catch (e) {
          // Mermaid may leave its scratch element behind after a failure.
          const doc = (globalThis as unknown as { document: { getElementById(id: string): { remove(): void } | null } }).document;
          doc.getElementById('ddlm-diagram')?.remove();
          doc.getElementById('dlm-diagram')?.remove();
          return { ok: false as const, error: e instanceof Error ? e.message : String(e) };
        }
      },
      { text, theme, init: this.theme !== theme, MAX_TEXT, MAX_EDGES },
    );
    const result = await this.guard(rendering, opts.timeoutMs, async () => {
      // The page may still be busy laying out: replace it, keep the browser.
      const stuck = this.page;
      this.page = undefined;
      this.theme = undefined;
      await stuck?.close().catch(() => undefined);
      this.page = await this.mermaidPage();
    });
    this.theme = theme;
    if (!result.ok) throw new DiagramError('DLM7001', [cleanMermaidError(result.error)]);
    return result.svg;
  }

  /** Renders Mermaid text to PNG bytes (the SVG screenshotted on the theme's background). */
  async png(text: string, opts: RenderOptions = {}): Promise<Uint8Array> {
    const svg = await this.svg(text, opts);
    const theme = opts.theme ?? 'default';
    const page = await this.browser.newPage({ deviceScaleFactor: this.scale });
    try {
      await page.route('**/*', (route) => route.abort());
      const html = `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;padding:16px;display:inline-block;background:${BACKGROUND[theme]}">${svg}</body></html>`;
      const shot = page.setContent(html).then(() => page.locator('body').screenshot({ type: 'png' }));
      const buf = await this.guard(shot, opts.timeoutMs, async () => undefined);
      return new Uint8Array(buf);
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.browser.close().catch(() => undefined);
  }

  /**
   * Bounds a browser call by the render timeout (then `onTimeout` cleans up), and turns a browser
   * failure (a crashed page, a killed process) into DLM7001.
   */
  private async guard<T>(work: Promise<T>, timeoutMs = DEFAULT_TIMEOUT_MS, onTimeout: () => Promise<void>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      const secs = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
      timer = setTimeout(() => reject(new DiagramError('DLM7001', [`Mermaid did not finish within ${secs}; draw fewer boxes (depth, folding)`])), timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (e) {
      if (e instanceof DiagramError) {
        work.catch(() => undefined);
        await onTimeout();
        throw e;
      }
      throw new DiagramError('DLM7001', [`the browser failed: ${e instanceof Error ? e.message.split('\n')[0]! : String(e)}`]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs `fn` with one open renderer and always closes the browser afterwards. */
export async function withRenderer<T>(fn: (r: MermaidRenderer) => Promise<T>, opts: RendererOptions = {}): Promise<T> {
  const r = await MermaidRenderer.open(opts);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

/** One diagram to SVG (starts and stops a browser; use `renderMany` for several). */
export function renderSvg(text: string, opts: RenderOptions & RendererOptions = {}): Promise<string> {
  return withRenderer((r) => r.svg(text, opts), opts);
}

/** One diagram to PNG bytes. */
export function renderPng(text: string, opts: RenderOptions & RendererOptions = {}): Promise<Uint8Array> {
  return withRenderer((r) => r.png(text, opts), opts);
}

/**
 * Several diagrams with one browser, in order. A Mermaid error in one diagram fails the batch
 * with DLM7001 naming the diagram's index.
 */
export function renderMany(
  texts: readonly string[],
  opts: RenderOptions & RendererOptions & { format?: 'svg' | 'png' } = {},
): Promise<(string | Uint8Array)[]> {
  return withRenderer(async (r) => {
    const out: (string | Uint8Array)[] = [];
    for (const t of texts) out.push(opts.format === 'png' ? await r.png(t, opts) : await r.svg(t, opts));
    return out;
  }, opts);
}
