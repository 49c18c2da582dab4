/**
 * The playground page: a CodeMirror editor whose text is analysed on every pause in typing with
 * @dlm/language-service's `analyze` (the compile `dlm check` runs, plus the names hover and
 * completion need; the registry: @dlm/plugin-std's layers, losses, optimizers… and the embedded
 * MNIST sample as `mnist`). Diagnostics go into the editor and the list under it; a clean program
 * updates the summary table and the Mermaid diagram. Train and Export work on the first train
 * block's model. Everything is bundled: the page works offline.
 */
// tfjs-core first: its flags must be registered before the gradients register themselves.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { EditorView, basicSetup } from 'codemirror';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import mermaid from 'mermaid';
import { hasErrors, initializeParams, summarize, type Diagnostic, type Program } from '@dlm/core';
import { analyze, type Analysis } from '@dlm/language-service';
import { toMermaid } from '@dlm/mermaid';
import { exportOnnx } from '@dlm/onnx';
import { registryFromModules } from '@dlm/plugin-loader';
import { pickBackend } from './backend.js';
import { playgroundPlugin } from './data.js';
import { editorFeatures } from './editor-features.js';
import { dlmLanguage } from './highlight.js';
import { trainInBrowser, TrainError, type TrainedModel } from './train.js';

const FILE = 'playground.dlm';
const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;

/** What the e2e test and curious users can read: `window.dlmPlayground`. */
interface PageState {
  ready: boolean;
  backend?: string;
  compiles: number;
  diagnostics: Diagnostic[];
  losses: number[];
  training: boolean;
  trained?: Omit<TrainedModel, 'graph' | 'weights'>;
}
const page: PageState = { ready: false, compiles: 0, diagnostics: [], losses: [], training: false };
(window as unknown as { dlmPlayground: PageState }).dlmPlayground = page;

// The shared loader's pure part: the standard plugin without its file/download datasets, then the
// playground's own `mnist` over the embedded sample.
const { registry } = registryFromModules([{ spec: 'playground', namedIn: 'the playground', origin: 'playground', module: { default: playgroundPlugin } }]);

let program: Program | undefined;
/** The latest analysis (parse, compile, names), shared by diagnostics, hover and completion. */
let analysis: Analysis | undefined;
let trained: TrainedModel | undefined;
let diagramSeq = 0;

mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default', flowchart: { htmlLabels: false } });

function compile(text: string): CmDiagnostic[] {
  analysis = analyze(text, FILE, registry, () => undefined);
  const out = { program: analysis.program, diagnostics: analysis.diagnostics };
  page.compiles++;
  page.diagnostics = out.diagnostics;
  renderDiagnosticList(out.diagnostics);
  const ok = !hasErrors(out.diagnostics);
  if (ok) {
    program = out.program;
    if (trained && !program.models.some((m) => JSON.stringify(m) === JSON.stringify(trained!.graph))) trained = undefined;
    renderSummary(out.program);
    void renderDiagram(out.program);
  } else {
    $('#diagram').classList.add('stale');
    $('#diagram').dataset['state'] = 'stale';
    $('#summary').classList.add('stale');
  }
  $<HTMLButtonElement>('#train').disabled = !ok || page.training;
  $<HTMLButtonElement>('#export').disabled = !ok;
  return out.diagnostics
    .filter((d) => d.span && d.span.file === FILE)
    .map((d) => {
      const len = text.length;
      let from = Math.min(d.span!.start, len);
      let to = Math.min(Math.max(d.span!.end, from), len);
      if (from === to) {
        if (to < len) to++;
        else if (from > 0) from--;
      }
      return { from, to, severity: d.severity === 'info' ? 'info' : d.severity, message: `${d.code}: ${d.message}`, source: 'dlm' };
    });
}

function renderDiagnosticList(ds: readonly Diagnostic[]): void {
  const ul = $('#diagnostics');
  ul.replaceChildren(
    ...(ds.length === 0
      ? [Object.assign(document.createElement('li'), { className: 'ok', textContent: 'No problems.' })]
      : ds.map((d) => {
          const li = document.createElement('li');
          li.className = d.severity;
          li.dataset['code'] = d.code;
          const at = d.span ? `${d.span.line}:${d.span.col} ` : '';
          li.textContent = `${at}${d.code} ${d.message}${d.notes.length ? '\n  ' + d.notes.map((n) => n.message).join('\n  ') : ''}`;
          return li;
        })),
  );
}

function renderSummary(p: Program): void {
  const el = $('#summary');
  el.classList.remove('stale');
  el.replaceChildren();
  for (const g of p.models) {
    const s = summarize(g);
    const table = document.createElement('table');
    table.dataset['model'] = g.name;
    const row = (cells: string[], tag = 'td') => {
      const tr = document.createElement('tr');
      cells.forEach((c, i) => {
        const td = document.createElement(tag);
        td.textContent = c;
        if (i >= 3) td.className = 'num';
        tr.append(td);
      });
      return tr;
    };
    table.append(row(['Layer', 'Type', 'Output shape', 'Params', 'FLOPs'], 'th'));
    for (const r of s.rows) {
      table.append(row(['\u00a0\u00a0'.repeat(r.depth) + r.name.split('/').pop(), r.isBlock ? `${r.kind} (block)` : r.kind, r.outputShape, r.params.toLocaleString('en-US'), r.flops.toLocaleString('en-US')]));
    }
    const caption = document.createElement('p');
    caption.dataset['testid'] = 'total-params';
    caption.textContent = `${g.name}: ${s.totalParams.toLocaleString('en-US')} params (${s.trainableParams.toLocaleString('en-US')} trainable), ${s.flops.toLocaleString('en-US')} FLOPs per sample`;
    el.append(caption, table);
  }
}

async function renderDiagram(p: Program): Promise<void> {
  const seq = ++diagramSeq;
  const el = $('#diagram');
  try {
    const { svg } = await mermaid.render(`dlm-diagram-${seq}`, toMermaid(p));
    if (seq !== diagramSeq) return; // a newer edit is being drawn
    el.innerHTML = svg;
    el.classList.remove('stale');
    el.dataset['state'] = 'ok';
  } catch (e) {
    if (seq !== diagramSeq) return;
    el.dataset['state'] = 'error';
    el.textContent = `Mermaid could not draw the diagram: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function drawLoss(losses: readonly number[]): void {
  const svg = $('#loss');
  if (losses.length === 0) {
    svg.replaceChildren();
    return;
  }
  const max = Math.max(...losses);
  const min = Math.min(0, ...losses);
  const w = 400;
  const h = 160;
  const pad = 6;
  const pts = losses.map((l, i) => {
    const x = pad + (losses.length === 1 ? 0 : (i / (losses.length - 1)) * (w - 2 * pad));
    const y = h - pad - ((l - min) / (max - min || 1)) * (h - 2 * pad);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  svg.innerHTML = `<polyline fill="none" stroke="#3d7cf5" stroke-width="2" points="${pts.join(' ')}"/>`;
}

async function onTrain(): Promise<void> {
  if (!program || page.training) return;
  const steps = Math.max(1, Math.min(2000, Number($<HTMLInputElement>('#steps').value) || 40));
  page.training = true;
  page.losses = [];
  $<HTMLButtonElement>('#train').disabled = true;
  const status = $('#status');
  status.dataset['state'] = 'training';
  try {
    const t0 = performance.now();
    trained = await trainInBrowser(program, registry, page.backend ?? 'cpu', steps, {
      onStep(step, loss) {
        page.losses.push(loss);
        drawLoss(page.losses);
        status.textContent = `step ${step}/${steps} · loss ${loss.toFixed(4)} · ${page.backend}`;
      },
    });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    page.trained = { losses: trained.losses, accuracy: trained.accuracy, probe: trained.probe, evaluatedOn: trained.evaluatedOn };
    status.textContent = `${trained.losses.length} steps in ${secs} s on ${page.backend} · loss ${trained.losses[0]!.toFixed(3)} → ${trained.losses[trained.losses.length - 1]!.toFixed(3)} · ${trained.evaluatedOn.split} accuracy ${(trained.accuracy * 100).toFixed(1)}% (${trained.evaluatedOn.samples} held-out digits)`;
    status.dataset['state'] = 'done';
  } catch (e) {
    status.textContent = e instanceof TrainError ? e.message : `Training failed: ${e instanceof Error ? e.message : String(e)}`;
    status.dataset['state'] = 'error';
  } finally {
    page.training = false;
    $<HTMLButtonElement>('#train').disabled = !program;
  }
}

function onExport(): void {
  if (!program) return;
  const name = program.trainings[0]?.model ?? program.models[0]?.name;
  const graph = program.models.find((m) => m.name === name);
  if (!graph) return;
  const weights = trained && trained.graph.name === graph.name ? trained.weights : initializeParams(graph, 0);
  const out = exportOnnx(graph, weights);
  if (!out.result) {
    $('#status').textContent = out.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n');
    return;
  }
  const url = URL.createObjectURL(new Blob([out.result as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: `${graph.name}.onnx` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  $('#status').textContent = `Exported ${graph.name}.onnx (${out.result.length.toLocaleString('en-US')} bytes, ${trained ? 'trained' : 'initial'} weights).`;
}

async function start(): Promise<void> {
  const view = new EditorView({
    doc: __DLM_EXAMPLE__,
    parent: $('#editor'),
    extensions: [basicSetup, dlmLanguage, lintGutter(), linter((v) => compile(v.state.doc.toString()), { delay: 300 }), editorFeatures(() => analysis)],
  });
  (window as unknown as { dlmEditor: EditorView }).dlmEditor = view;
  $('#train').addEventListener('click', () => void onTrain());
  $('#export').addEventListener('click', onExport);
  const forced = new URLSearchParams(location.search).get('backend');
  const b = await pickBackend(forced);
  page.backend = b.name;
  const badge = $('#backend');
  badge.textContent = `backend: ${b.name}`;
  badge.title = b.reason;
  badge.dataset['backend'] = b.name;
  page.ready = true;
}

void start();
