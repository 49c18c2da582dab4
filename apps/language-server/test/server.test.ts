/**
 * The server driven over its real protocol: a child process on stdio, JSON-RPC from the test.
 * Expected diagnostics come from @dlm/language's compileSource (what `dlm check` prints); expected
 * formatting from `format` (what `dlm fmt` writes); shapes and parameter counts are the ones
 * PyTorch gives for the same layers (conv 1→10 k5: 260; dense 320→50: 16,050).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginRegistry, hasErrors, summarize } from '@dlm/core';
import { compileSource, format, INITIALIZER_KINDS } from '@dlm/language';
import { toMermaid } from '@dlm/mermaid';
import { stdPlugin } from '@dlm/plugin-std';
import { TestClient, applyEdits, positionOf } from './client.js';

const here = new URL('.', import.meta.url);
const mnist = readFileSync(new URL('../../../examples/mnist/mnist_cnn.dlm', here), 'utf8');

const LIB = `// shared pieces
let width = 16

block Residual(channels: int, stride: int = 1) {
  input x
  output y
  main = x |> conv2d(channels, kernel: 3, stride: stride, padding: 1) |> relu
  y = relu(main + x)
}
`;

const MAIN = `import "lib.dlm"

let classes = 10

block Head(n: int) {
  input x
  output y
  y = x |> global_avg_pool |> flatten |> dense(n)
}

model Net {
  input image: f32[batch, 3, 32, 32]
  output logits: f32[batch, classes]

  stem = image |> conv2d(width, kernel: 3, padding: 1) |> relu
  body = stem |> Residual(width) |> Residual(channels: width)
  logits = body |> Head(classes)
}

train Net {
  data cifar10(batch: 32)
  loss cross_entropy
  optimizer adam(lr: 1e-3)
  epochs 1
}
`;

let dir: string;
let client: TestClient;
let mainUri: string;
let libUri: string;
const registry = new PluginRegistry();
registry.register(stdPlugin);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dlm-lsp-'));
  writeFileSync(join(dir, 'lib.dlm'), LIB);
  writeFileSync(join(dir, 'main.dlm'), MAIN);
  writeFileSync(join(dir, 'mnist.dlm'), mnist);
  mainUri = pathToFileURL(join(dir, 'main.dlm')).href;
  libUri = pathToFileURL(join(dir, 'lib.dlm')).href;
  client = new TestClient();
  const init = await client.request<{ capabilities: Record<string, unknown> }>('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentSymbolProvider: true, documentFormattingProvider: true });
  expect(init.capabilities['completionProvider']).toBeDefined();
  expect(init.capabilities['renameProvider']).toBeDefined();
  await client.notify('initialized', {});
  await client.open(mainUri, MAIN);
  await client.open(pathToFileURL(join(dir, 'mnist.dlm')).href, mnist);
}, 60_000);

afterAll(async () => {
  if (client) expect(await client.close()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

const tdoc = (uri: string) => ({ textDocument: { uri } });

describe('diagnostics', () => {
  it('publishes nothing for a clean file', async () => {
    const d = await client.diagnostics(mainUri, 1);
    expect(d.diagnostics).toEqual([]);
  });

  it('publishes the same diagnostics as dlm check as the user types, and clears them when fixed', async () => {
    const uri = pathToFileURL(join(dir, 'typing.dlm')).href;
    const broken = mnist.replace('|> dense(50)', '|> dense(units: 50, bogus: 1)').replace('|> max_pool(2)\n    |> relu\n    |> flatten', '|> maxpool(2)\n    |> relu\n    |> flatten');
    await client.open(uri, mnist, 1);
    expect((await client.diagnostics(uri, 1)).diagnostics).toEqual([]);
    await client.change(uri, broken, 2);
    const got = (await client.diagnostics(uri, 2)).diagnostics;
    const file = join(dir, 'typing.dlm');
    const want = compileSource(broken, file, { registry }).diagnostics;
    expect(want.length).toBeGreaterThanOrEqual(2);
    expect(got.map((d) => d.code)).toEqual(want.map((d) => d.code));
    expect(got.map((d) => [d.range.start.line + 1, d.range.start.character + 1])).toEqual(want.map((d) => [d.span!.line, d.span!.col]));
    for (let i = 0; i < want.length; i++) expect(got[i]!.message.startsWith(want[i]!.message)).toBe(true);
    expect(got.find((d) => d.code === 'DLM2001')!.message).toContain("Did you mean 'max_pool'?");
    await client.change(uri, mnist, 3);
    expect((await client.diagnostics(uri, 3)).diagnostics).toEqual([]);
  });

  it('offers the "did you mean" fixes as quick fixes that make the file compile', async () => {
    const uri = pathToFileURL(join(dir, 'typo.dlm')).href;
    const text = mnist.replace('|> max_pool(2)', '|> maxpool(2)').replace('optimizer adam(', 'optimizer adma(');
    await client.open(uri, text, 1);
    const got = (await client.diagnostics(uri, 1)).diagnostics;
    expect(got.length).toBe(2);
    expect(got.every((d) => (d as { data?: { suggestion?: string } }).data?.suggestion)).toBe(true);
    type Action = { title: string; edit: { changes: Record<string, { range: never; newText: string }[]> } };
    const actions = await client.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } }, context: { diagnostics: got } });
    expect(actions.map((a) => a.title).sort()).toEqual(["Change 'adma' to 'adam'", "Change 'maxpool' to 'max_pool'"]);
    const fixed = applyEdits(text, actions.flatMap((a) => a.edit.changes[uri]!));
    expect(fixed).toBe(mnist);
  });

  it('re-checks a file when a file it imports changes in the editor', async () => {
    const latest = () => [...client.published].reverse().find((p) => p.uri === mainUri)!;
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
    };
    await client.open(libUri, LIB, 1);
    await client.change(libUri, LIB.replace('block Residual(', 'block Resid('), 2);
    try {
      await until(() => latest().diagnostics.length > 0);
      expect(latest().diagnostics.map((x) => x.message).join('\n')).toMatch(/Unknown layer 'Residual'/);
    } finally {
      await client.change(libUri, LIB, 3);
    }
    await until(() => latest().diagnostics.length === 0);
    expect(latest().diagnostics).toEqual([]);
  }, 20_000);

  it('reports a syntax error at its place', async () => {
    const uri = pathToFileURL(join(dir, 'syntax.dlm')).href;
    const text = 'model M {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  y = x |> dense(2\n}\n';
    await client.open(uri, text, 1);
    const got = (await client.diagnostics(uri, 1)).diagnostics;
    const want = compileSource(text, join(dir, 'syntax.dlm'), { registry }).diagnostics;
    expect(got.length).toBe(want.length);
    expect(got[0]!.code).toBe(want[0]!.code);
    expect(got[0]!.code.startsWith('DLM1')).toBe(true);
    expect(got[0]!.range.start.line).toBe(want[0]!.span!.line - 1);
  });
});

describe('hover', () => {
  it('shows the tensor type of a value and the layer that made it', async () => {
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(mainUri), position: positionOf(MAIN, 'stem =', 1) });
    expect(h.contents.value).toContain('**stem**: `f32[batch, 16, 32, 32]`');
    expect(h.contents.value).toContain('from **relu**');
  });

  it('shows ports of models and of blocks (every instance type)', async () => {
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(mainUri), position: positionOf(MAIN, 'logits =', 1) });
    expect(h.contents.value).toContain('(output) **logits**: `f32[batch, 10]`');
    const hx = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(mainUri), position: positionOf(MAIN, 'input x', 6) });
    expect(hx.contents.value).toContain('(input) **x**: `f32[batch, 16, 32, 32]`');
  });

  it('shows a layer call with its output type and parameter count', async () => {
    const uri = pathToFileURL(join(dir, 'mnist.dlm')).href;
    const conv = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(uri), position: positionOf(mnist, 'conv2d(filters: 10', 2) });
    expect(conv.contents.value).toContain('**conv2d**');
    expect(conv.contents.value).toContain('`f32[batch, 10, 24, 24]` · 260 params');
    const dense = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(uri), position: positionOf(mnist, 'dense(50)', 1) });
    expect(dense.contents.value).toContain('`f32[batch, 50]` · 16,050 params');
    const model = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(uri), position: positionOf(mnist, 'MnistCnn', 1) });
    expect(model.contents.value).toContain('21,840 params');
  });

  it('shows the parameter count that dlm summary and the diagram show (buffers non-trainable)', async () => {
    const file = new URL('../../../examples/resnet/resnet_cifar.dlm', here);
    const text = readFileSync(file, 'utf8');
    const uri = pathToFileURL(join(dir, 'resnet.dlm')).href;
    await client.open(uri, text);
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(uri), position: positionOf(text, 'batch_norm |> relu', 1) });
    const compiled = compileSource(text, 'resnet.dlm', { registry });
    expect(hasErrors(compiled.diagnostics)).toBe(false);
    const g = compiled.program.models[0]!;
    const row = summarize(g).rows.find((r) => r.name === 'batch_norm_1')!;
    // batch_norm over 16 channels: weight and bias (32, trainable) + running mean and variance (32).
    expect([row.params, row.trainableParams]).toEqual([64, 32]);
    expect(h.contents.value).toContain('`f32[batch, 16, 32, 32]` · 64 params (32 trainable)');
    expect(toMermaid(compiled.program)).toContain('n_ResNetCifar_batch_norm_1["batch_norm<br/>64 params"]');
  });

  it('shows a block call, a block and a constant', async () => {
    const call = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(mainUri), position: positionOf(MAIN, 'Head(classes)', 1) });
    expect(call.contents.value).toContain('(block) **Head**(n: int)');
    expect(call.contents.value).toContain('170 params each'); // dense 16→10
    const c = await client.request<{ contents: { value: string } }>('textDocument/hover', { ...tdoc(mainUri), position: positionOf(MAIN, 'width, kernel', 1) });
    expect(c.contents.value).toBe('(constant) **width** = `16`');
  });
});

describe('hover on arguments and plugins', () => {
  const hoverText = async (needle: string, delta: number) =>
    (await client.request<{ contents: { value: string } } | null>('textDocument/hover', { ...tdoc(mainUri), position: positionOf(MAIN, needle, delta) }))?.contents.value;

  it('documents a named argument from the layer, block or plugin schema', async () => {
    const kernel = registry.get('layer', 'conv2d')!.def.args.find((a) => a.name === 'kernel')!;
    expect(await hoverText('kernel: 3, padding: 1) |> relu', 1)).toBe(`(argument of conv2d) **kernel**: ${[kernel.type].flat().join(' | ')}${kernel.default !== undefined ? ` = ${JSON.stringify(kernel.default)}` : ''}\n\n${kernel.doc}`);
    expect(await hoverText('lr: 1e-3', 0)).toContain('(argument of adam) **lr**');
    expect(await hoverText('channels: width', 2)).toContain('(argument of Residual) **channels**: block parameter: int');
  });

  it('documents plugin names in train blocks', async () => {
    expect(await hoverText('adam(', 1)).toBe(`**adam** — optimizer (@dlm/plugin-std)\n\n${registry.get('optimizer', 'adam')!.def.doc}`);
    expect(await hoverText('cross_entropy', 3)).toContain('— loss (@dlm/plugin-std)');
    expect(await hoverText('cifar10', 3)).toContain('— dataset (@dlm/plugin-std)');
  });
});

describe('completion', () => {
  type Item = { label: string; kind: number; insertText?: string };
  const complete = (uri: string, position: { line: number; character: number }) => client.request<Item[]>('textDocument/completion', { ...tdoc(uri), position });

  it('offers layer names (from the registry) and blocks in a pipeline', async () => {
    const items = await complete(mainUri, positionOf(MAIN, 'conv2d(width', 2));
    const labels = items.map((i) => i.label);
    for (const l of registry.names('layer')) expect(labels).toContain(l);
    expect(labels).toContain('Residual');
    expect(labels).toContain('Head');
  });

  it('offers argument names inside a layer call and a block call', async () => {
    const items = await complete(mainUri, positionOf(MAIN, 'kernel: 3, padding: 1) |> relu', 0));
    const args = items.filter((i) => i.insertText?.endsWith(': ')).map((i) => i.label);
    expect(args).toEqual(registry.get('layer', 'conv2d')!.def.args.map((a) => a.name));
    const b = await complete(mainUri, positionOf(MAIN, 'channels: width', 0));
    expect(b.filter((i) => i.insertText).map((i) => i.label)).toEqual(['channels', 'stride']);
  });

  it('offers initializers, regularizers and setting keys in parameter settings', async () => {
    const text = 'model M {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  y = x |> dense(2) { weight: init he_normal, regularize l1(1e-5) }\n}\n';
    const uri = pathToFileURL(join(dir, 'settings.dlm')).href;
    await client.open(uri, text, 1);
    const init = await complete(uri, positionOf(text, 'he_normal', 0));
    expect(init.map((i) => i.label)).toEqual(INITIALIZER_KINDS);
    const reg = await complete(uri, positionOf(text, 'l1(', 0));
    expect(reg.map((i) => i.label).sort()).toEqual(registry.names('regularizer'));
    const keys = await complete(uri, positionOf(text, 'regularize l1', 0));
    expect(keys.map((i) => i.label)).toEqual(['init', 'regularize', 'trainable']);
  });

  it('offers plugin names of the right kind in train blocks', async () => {
    const opt = await complete(mainUri, positionOf(MAIN, 'adam(', 0));
    expect(opt.map((i) => i.label).sort()).toEqual(registry.names('optimizer'));
    const data = await complete(mainUri, positionOf(MAIN, 'cifar10(', 0));
    expect(data.map((i) => i.label).sort()).toEqual(registry.names('dataset'));
    const loss = await complete(mainUri, positionOf(MAIN, 'cross_entropy', 0));
    expect(loss.map((i) => i.label).sort()).toEqual(registry.names('loss'));
    const args = await complete(mainUri, positionOf(MAIN, 'lr: 1e-3', 0));
    expect(args.filter((i) => i.insertText).map((i) => i.label)).toEqual(registry.get('optimizer', 'adam')!.def.args.map((a) => a.name));
  });
});

describe('signature help', () => {
  type Help = { signatures: { label: string; parameters: { label: [number, number] }[] }[]; activeParameter: number };
  const help = (needle: string, delta: number, nth = 0) => client.request<Help | null>('textDocument/signatureHelp', { ...tdoc(mainUri), position: positionOf(MAIN, needle, delta, nth) });
  const activeName = (h: Help) => {
    const [a, b] = h.signatures[0]!.parameters[h.activeParameter]!.label;
    return h.signatures[0]!.label.slice(a, b).split(':')[0];
  };

  it('shows the arguments of a layer with the one being typed active', async () => {
    const h = (await help('padding: 1) |> relu', 0))!;
    expect(h.signatures[0]!.label.startsWith('conv2d(filters: ')).toBe(true);
    expect(h.signatures[0]!.parameters.length).toBe(registry.get('layer', 'conv2d')!.def.args.length);
    expect(activeName(h)).toBe('padding');
    expect(activeName((await help('width, kernel', 0))!)).toBe('filters');
  });

  it('shows block parameters and plugin arguments', async () => {
    const b = (await help('channels: width', 0))!;
    expect(b.signatures[0]!.label).toBe('Residual(channels: int, stride: int)');
    expect(activeName(b)).toBe('channels');
    const o = (await help('lr: 1e-3', 0))!;
    expect(o.signatures[0]!.label.startsWith('adam(lr: ')).toBe(true);
    expect(activeName(o)).toBe('lr');
    expect(await help('model Net', 0)).toBeNull();
  });
});

describe('definition', () => {
  type Loc = { uri: string; range: { start: { line: number; character: number } } };
  const def = (position: { line: number; character: number }) => client.request<Loc | null>('textDocument/definition', { ...tdoc(mainUri), position });

  it('goes to a block, a constant and a value in the same file', async () => {
    expect(await def(positionOf(MAIN, 'Head(classes)', 1))).toEqual({ uri: mainUri, range: { start: positionOf(MAIN, 'Head(n'), end: positionOf(MAIN, 'Head(n', 4) } });
    expect((await def(positionOf(MAIN, 'classes)', 1)))!.range.start).toEqual(positionOf(MAIN, 'classes = 10'));
    expect((await def(positionOf(MAIN, 'stem |>', 1)))!.range.start).toEqual(positionOf(MAIN, 'stem ='));
  });

  it('goes into imported files: their blocks, constants and the file itself', async () => {
    const b = await def(positionOf(MAIN, 'Residual(width)', 2));
    expect(b!.uri).toBe(libUri);
    expect(b!.range.start).toEqual(positionOf(LIB, 'Residual('));
    const w = await def(positionOf(MAIN, 'width, kernel', 1));
    expect(w!.uri).toBe(libUri);
    expect(w!.range.start).toEqual(positionOf(LIB, 'width = 16'));
    const imp = await def(positionOf(MAIN, 'lib.dlm', 1));
    expect(imp!.uri).toBe(libUri);
  });
});

describe('references and highlight', () => {
  type Loc = { uri: string; range: { start: { line: number; character: number } } };
  it('a value: its definition and its use; highlight says which is written', async () => {
    const at = { ...tdoc(mainUri), position: positionOf(MAIN, 'stem |>', 1) };
    const refs = await client.request<Loc[]>('textDocument/references', { ...at, context: { includeDeclaration: true } });
    expect(refs.map((r) => r.range.start)).toEqual([positionOf(MAIN, 'stem ='), positionOf(MAIN, 'stem |>')]);
    const uses = await client.request<Loc[]>('textDocument/references', { ...at, context: { includeDeclaration: false } });
    expect(uses.map((r) => r.range.start)).toEqual([positionOf(MAIN, 'stem |>')]);
    const hl = await client.request<{ range: { start: unknown }; kind: number }[]>('textDocument/documentHighlight', at);
    // LSP: 2 = Read, 3 = Write.
    expect(hl.map((h) => [h.range.start, h.kind])).toEqual([
      [positionOf(MAIN, 'stem ='), 3],
      [positionOf(MAIN, 'stem |>'), 2],
    ]);
  });
});

describe('document symbols', () => {
  it('lists constants, blocks, models (with their values and types) and train blocks', async () => {
    type Sym = { name: string; kind: number; detail?: string; children?: Sym[] };
    const syms = await client.request<Sym[]>('textDocument/documentSymbol', tdoc(mainUri));
    expect(syms.map((s) => s.name)).toEqual(['lib.dlm', 'classes', 'Head', 'Net', 'train Net']);
    const net = syms.find((s) => s.name === 'Net')!;
    expect(net.children!.map((c) => [c.name, c.detail])).toEqual([
      ['image', 'f32[batch, 3, 32, 32]'],
      ['logits', 'f32[batch, 10]'],
      ['stem', 'f32[batch, 16, 32, 32]'],
      ['body', 'f32[batch, 16, 32, 32]'],
    ]);
  });
});

describe('formatting', () => {
  it('formats through the same formatter as dlm fmt', async () => {
    const uri = pathToFileURL(join(dir, 'messy.dlm')).href;
    const messy = mnist.replace(/\n {4}\|>/g, ' |>').replace('model MnistCnn {', 'model   MnistCnn{').replace(/ {2}input/, '      input');
    await client.open(uri, messy, 1);
    const edits = await client.request<{ range: unknown; newText: string }[]>('textDocument/formatting', { ...tdoc(uri), options: { tabSize: 2, insertSpaces: true } });
    const want = format(messy, join(dir, 'messy.dlm')).result!;
    expect(want).not.toBe(messy);
    expect(applyEdits(messy, edits as never)).toBe(want);
    await client.change(uri, want, 2);
    expect(await client.request('textDocument/formatting', { ...tdoc(uri), options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });
});

describe('rename', () => {
  type Edit = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };
  const rename = (position: { line: number; character: number }, newName: string) =>
    client.request<{ changes: Record<string, Edit[]> }>('textDocument/rename', { ...tdoc(mainUri), position, newName });
  const compiles = (text: string) => !hasErrors(compileSource(text, join(dir, 'main.dlm'), { registry }).diagnostics);

  it('renames a value at its definition and every use', async () => {
    const r = await rename(positionOf(MAIN, 'stem |>', 1), 'trunk');
    expect(r.changes[mainUri]!.length).toBe(2);
    const out = applyEdits(MAIN, r.changes[mainUri]!);
    expect(out).toContain('trunk = image');
    expect(out).toContain('body = trunk |>');
    expect(out).not.toMatch(/\bstem\b/);
    expect(compiles(out)).toBe(true);
  });

  it('renames a block, its calls, and its parameters where named in calls', async () => {
    const r = await rename(positionOf(MAIN, 'Head(n', 1), 'Classifier');
    const out = applyEdits(MAIN, r.changes[mainUri]!);
    expect(out).toContain('block Classifier(n: int)');
    expect(out).toContain('body |> Classifier(classes)');
    expect(compiles(out)).toBe(true);
    const p = await rename(positionOf(MAIN, 'dense(n)', 7), 'units');
    const out2 = applyEdits(MAIN, p.changes[mainUri]!);
    expect(out2).toContain('block Head(units: int)');
    expect(out2).toContain('dense(units)');
    expect(compiles(out2)).toBe(true);
  });

  it('renames a model together with its train block', async () => {
    const r = await rename(positionOf(MAIN, 'train Net', 7), 'Classifier');
    const out = applyEdits(MAIN, r.changes[mainUri]!);
    expect(out).toContain('model Classifier {');
    expect(out).toContain('train Classifier {');
    expect(compiles(out)).toBe(true);
  });

  it('refuses names that clash, keywords, and names declared in another file', async () => {
    await expect(rename(positionOf(MAIN, 'stem |>', 1), 'body')).rejects.toThrow(/already declared/);
    await expect(rename(positionOf(MAIN, 'stem |>', 1), 'model')).rejects.toThrow(/not a valid name/);
    await expect(rename(positionOf(MAIN, 'Residual(width)', 1), 'Res')).rejects.toThrow(/declared in .*lib\.dlm/);
  });
});
