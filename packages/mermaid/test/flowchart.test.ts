import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagramError, escapeLabel, toMarkdown, toMermaid } from '../src/index.js';
import { allocateIds } from '../src/escape.js';
import { branches, gan, hostile, HOSTILE, mnistCnn, Model, resnet } from './fixtures.js';
import { expectGolden } from './golden.js';
import { classOf, compileDlm, exampleFiles, HERE, stemOf, testModelFiles } from './models.js';

const golden = (stem: string) => join(HERE, 'golden', `${stem}.mmd`);

/** Every line of our output has one of these forms; anything else means a name leaked into syntax. */
const LINE_FORMS = [
  /^flowchart (TB|LR)$/,
  /^ *subgraph n_\w+\["[^"]*"\]$/,
  /^ *end$/,
  /^ *direction (TB|LR)$/,
  /^ *n_\w+(\(\["[^"]*"\]\)|\[\["[^"]*"\]\]|\[\/"[^"]*"\/\]|\["[^"]*"\]):::\w+$/,
  /^ *n_\w+ -->(\|"[^"]*"\|)? n_\w+$/,
  /^ *classDef \w+ [\w:#,.\- ]+$/,
];

function checkLines(text: string): void {
  const lines = text.trimEnd().split('\n');
  for (const line of lines) expect(LINE_FORMS.some((f) => f.test(line)), `unexpected line: ${line}`).toBe(true);
}

/** Boxes (node lines) and subgraph titles, unescaped, for structural assertions. */
function nodes(text: string): string[] {
  return [...text.matchAll(/^ *n_\w+(?:\(\[|\[\[|\[\/|\[)"([^"]*)"/gm)].map((m) => decode(m[1]!));
}
function subgraphs(text: string): string[] {
  return [...text.matchAll(/^ *subgraph n_\w+\["([^"]*)"\]$/gm)].map((m) => decode(m[1]!));
}
function edges(text: string): string[] {
  return [...text.matchAll(/^ *(n_\w+) -->(?:\|"([^"]*)"\|)? (n_\w+)$/gm)].map((m) => `${m[1]} -> ${m[3]}${m[2] ? ` ${decode(m[2])}` : ''}`);
}
function decode(s: string): string {
  return s.replace(/#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d))).replace(/<br\/>/g, ' | ');
}

describe('golden diagrams', () => {
  const examples = exampleFiles();
  it('finds the repository examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });
  for (const file of [...examples, ...testModelFiles()]) {
    it(stemOf(file), () => {
      const program = compileDlm(file);
      const text = toMermaid(program, { classOf });
      checkLines(text);
      expectGolden(golden(stemOf(file)), text);
      expectGolden(golden(`${stemOf(file)}.unfolded`), toMermaid(program, { fold: false, classOf }));
    });
  }
  const builderModels = { mnist: () => [mnistCnn()], resnet: () => [resnet()], gan, branches: () => [branches()], hostile: () => [hostile()] };
  for (const [name, make] of Object.entries(builderModels)) {
    it(`builder/${name}`, () => {
      const text = toMermaid(make());
      checkLines(text);
      expectGolden(golden(`builder/${name}`), text);
    });
  }
});

describe('structure', () => {
  it('draws one box per layer, labelled, with parameter counts and shaped edges', () => {
    const text = toMermaid([mnistCnn()]);
    expect(nodes(text)).toEqual([
      'image | f32 batch×1×28×28',
      'conv2d 10×5×5 | 260 params',
      'max_pool 2',
      'relu',
      'conv2d 20×5×5 | 5,020 params',
      'max_pool 2',
      'relu',
      'flatten',
      'dense 50 | 16,050 params',
      'relu',
      'dense 10 | 510 params',
      'logits | f32 batch×10',
    ]);
    expect(edges(text)).toContain('n_MnistCnn_conv2d_1 -> n_MnistCnn_max_pool_1 batch×10×24×24');
    expect(edges(text)).toContain('n_MnistCnn_dense_2 -> n_MnistCnn_out_logits batch×10');
    expect(text).toMatch(/n_MnistCnn_in_image\(\[/); // stadium input
    expect(text).toMatch(/n_MnistCnn_out_logits\[\//); // parallelogram output
  });

  it('keeps symbolic dims and shows non-f32 dtypes', () => {
    const program = compileDlm(join(HERE, '../../../examples/text/lstm_classifier.dlm'));
    const text = toMermaid(program);
    expect(text).toMatch(/i(32|64) batch×/);
  });

  it('draws skip connections and branches as edges from the producing layer', () => {
    const text = toMermaid([branches()]);
    const e = edges(text);
    // x feeds three layers; the pass-through `identity` is the producer its consumer sees.
    expect(e.filter((s) => s.startsWith('n_Branches_in_x ->'))).toHaveLength(3);
    expect(e).toContain('n_Branches_relu_1 -> n_Branches_identity_1 batch×8');
    expect(e).toContain('n_Branches_identity_1 -> n_Branches_add_1 batch×8');
    expect(e).toContain('n_Branches_in_x -> n_Branches_add_1 batch×8');
    // A value that is both a declared output and used further draws both edges; a value passed
    // on unchanged is drawn from the last layer that passed it on.
    expect(e).toContain('n_Branches_identity_1 -> n_Branches_out_right batch×8');
    // User-named layer shows its name.
    expect(nodes(text)).toContain('left_1: dense 8 | 72 params');
  });

  it('draws blocks as subgraphs with their skip connection inside', () => {
    const text = toMermaid([resnet()], { fold: false });
    expect(subgraphs(text)).toEqual(['Residual(channels: 16)', 'Residual(channels: 16)', 'Residual(channels: 16)', 'Stage(width: 16)', 'Residual(channels: 16)']);
    const e = edges(text);
    expect(e).toContain('n_TinyResNet_relu_1 -> n_TinyResNet_residual_1_add_1 batch×16×32×32');
    expect(e).toContain('n_TinyResNet_residual_1_relu_2 -> n_TinyResNet_residual_2_conv2d_1 batch×16×32×32');
    expect(e).toContain('n_TinyResNet_residual_1_relu_2 -> n_TinyResNet_residual_2_add_1 batch×16×32×32');
  });

  it('hides the sub-layers of a layer made of layers, and counts their parameters', () => {
    const [g] = gan();
    const text = toMermaid([g!]);
    expect(nodes(text)).toContain('mlp2 32 | 1,600 params');
    expect(text).not.toMatch(/mlp2_1_dense/);
  });

  it('draws a bare core op that no layer owns as its own box, with its edges', () => {
    const m = new Model('Bare');
    const x = m.input('x', 'batch', 4);
    const y = m.block('Pair', [x], {}, ([i]) => {
      const a = m.layer('relu', i!);
      return m.b.emitNode('Add', [a, i!], {}, 1)[0]!;
    });
    m.output('y', y, 'batch', 4);
    const text = toMermaid([m.finish()]);
    checkLines(text);
    expect(text).toMatch(/n_Bare_pair_1_add\["Add"\]:::merge/);
    expect(edges(text)).toEqual([
      'n_Bare_in_x -> n_Bare_pair_1_relu_1 batch×4',
      'n_Bare_pair_1_relu_1 -> n_Bare_pair_1_add batch×4',
      'n_Bare_in_x -> n_Bare_pair_1_add batch×4',
      'n_Bare_pair_1_add -> n_Bare_out_y batch×4',
    ]);
  });

  it('draws a model that passes its input straight to its output', () => {
    const m = new Model('Wire');
    m.output('y', m.input('x', 'batch', 2), 'batch', 2);
    const text = toMermaid([m.finish()]);
    expect(edges(text)).toEqual(['n_Wire_in_x -> n_Wire_out_y batch×2']);
  });

  it('omits parameter counts when asked', () => {
    expect(toMermaid([mnistCnn()], { showParams: false })).not.toMatch(/params/);
  });

  it('lays out left to right when asked', () => {
    expect(toMermaid([mnistCnn()], { direction: 'LR' }).startsWith('flowchart LR\n')).toBe(true);
  });
});

describe('folding', () => {
  it('folds a chain of identical blocks into one box ×3, and unfolds on request', () => {
    const folded = toMermaid([resnet()]);
    expect(nodes(folded)).toContain('Residual(channels: 16) ×3 | 13,920 params');
    expect(subgraphs(folded)).toEqual(['Stage(width: 16)', 'Residual(channels: 16)']);
    const e = edges(folded);
    expect(e).toContain('n_TinyResNet_relu_1 -> n_TinyResNet_residual_1_fold batch×16×32×32');
    expect(e).toContain('n_TinyResNet_residual_1_fold -> n_TinyResNet_stage_1_max_pool_1 batch×16×32×32');
    expect(edges(toMermaid([resnet()], { fold: false })).some((s) => s.includes('_fold'))).toBe(false);
  });

  it('folds `repeat n { Block }` from the language', () => {
    const text = toMermaid(compileDlm(join(HERE, 'models/skip_and_branch.dlm')));
    expect(nodes(text)).toContain('Mixer(units: 32) ×3 | 3,168 params');
  });

  it('does not fold across a skip connection that leaves the middle of the chain', () => {
    const text = toMermaid(compileDlm(join(HERE, 'models/skip_and_branch.dlm')));
    // r1 also feeds the final add, so only r2 → r3 fold.
    expect(nodes(text)).toContain('Mixer(units: 16) ×2 | 544 params');
    expect(subgraphs(text)).toEqual(['Mixer(units: 16)']);
  });

  it('does not fold blocks with different arguments', () => {
    const text = toMermaid(compileDlm(join(HERE, 'models/nested.dlm')));
    expect(text).not.toMatch(/×2\b.*params/);
    expect(subgraphs(text)).toEqual(['Outer(units: 8)', 'Inner(units: 8)', 'Inner(units: 16)', 'Outer(units: 16)', 'Inner(units: 16)', 'Inner(units: 32)']);
  });
});

describe('depth', () => {
  const program = () => compileDlm(join(HERE, 'models/nested.dlm'));
  it('depth 1 draws each top-level block as one box, edges rewired to it', () => {
    const text = toMermaid(program(), { depth: 1 });
    expect(subgraphs(text)).toEqual([]);
    expect(nodes(text)).toEqual(['x | f32 batch×8', 'Outer(units: 8) | 352 params', 'Outer(units: 16) | 1,216 params', 'dense 8 | 136 params', 'y | f32 batch×8']);
    expect(edges(text)).toEqual([
      'n_Deep_in_x -> n_Deep_outer_1 batch×8',
      'n_Deep_outer_1 -> n_Deep_outer_2 batch×8',
      'n_Deep_outer_2 -> n_Deep_dense_1 batch×16',
      'n_Deep_dense_1 -> n_Deep_out_y batch×8',
    ]);
    checkLines(text);
  });

  it('depth 2 opens the top-level blocks and collapses the ones inside', () => {
    const text = toMermaid(program(), { depth: 2 });
    expect(subgraphs(text)).toEqual(['Outer(units: 8)', 'Outer(units: 16)']);
    expect(nodes(text)).toContain('Inner(units: 8) | 72 params');
    expect(edges(text)).toContain('n_Deep_outer_1_inner_1 -> n_Deep_outer_1_inner_2 batch×8');
    expect(edges(text)).toContain('n_Deep_outer_1_dense_1 -> n_Deep_outer_2_inner_1 batch×8');
  });

  it('a collapsed block keeps a skip connection that crosses it', () => {
    const text = toMermaid([resnet()], { depth: 1, fold: false });
    const e = edges(text);
    expect(e).toContain('n_TinyResNet_residual_1 -> n_TinyResNet_residual_2 batch×16×32×32');
    expect(e.filter((s) => s.startsWith('n_TinyResNet_residual_1 ->'))).toHaveLength(1); // deduplicated
  });

  it('rejects a depth below 1 with a diagnostic', () => {
    expect(() => toMermaid(program(), { depth: 0 })).toThrow(DiagramError);
    try {
      toMermaid(program(), { depth: 1.5 });
    } catch (e) {
      expect((e as DiagramError).diagnostic.code).toBe('DLM7004');
    }
  });
});

describe('several models', () => {
  it('draws each model as its own top-level subgraph', () => {
    const text = toMermaid(gan());
    expect(subgraphs(text)).toEqual(['Generator', 'Discriminator']);
    const lines = text.split('\n');
    const genStart = lines.indexOf('  subgraph n_Generator["Generator"]');
    const discStart = lines.indexOf('  subgraph n_Discriminator["Discriminator"]');
    expect(genStart).toBeGreaterThan(0);
    expect(discStart).toBeGreaterThan(genStart);
    expect(lines.slice(genStart, discStart).some((l) => l.includes('n_Generator_dense_1'))).toBe(true);
  });

  it('selects models by name, and names the alternatives for an unknown one', () => {
    const text = toMermaid(gan(), { models: ['Discriminator'] });
    expect(subgraphs(text)).toEqual([]);
    expect(text).not.toMatch(/Generator/);
    try {
      toMermaid(gan(), { models: ['Discriminater'] });
      expect.unreachable();
    } catch (e) {
      const d = (e as DiagramError).diagnostic;
      expect(d.code).toBe('DLM7003');
      expect(d.message).toContain('Generator, Discriminator');
      expect(d.message).toContain("Did you mean 'Discriminator'?");
    }
  });

  it('draws an example plugin\'s layers with their own labels and diagram class', () => {
    const text = toMermaid(compileDlm(join(HERE, '../../../examples/plugins/dlm-plugin-extras/examples/stripes.dlm')), { classOf });
    expect(text).toMatch(/\["swish β\/channel<br\/>8 params"\]:::activation/);
    expect(text).toMatch(/\["squeeze-excite r=2<br\/>[\d,]+ params"\]:::attention/);
    expect(text).toMatch(/classDef attention /);
  });

  it('uses a plugin class when classOf gives one, with a generated style', () => {
    const text = toMermaid(gan(), { classOf: (k) => (k === 'mlp2' ? 'attention' : undefined) });
    expect(text).toMatch(/n_Generator_mlp2_1\["[^"]*"\]:::attention/);
    expect(text).toMatch(/classDef attention fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#111111/);
    const evil = toMermaid(gan(), { classOf: () => 'a b;c' });
    checkLines(evil);
  });
});

describe('determinism', () => {
  it('gives byte-identical text for separately built copies of the same model', () => {
    for (const make of [() => [resnet()], gan, () => [hostile()]]) expect(toMermaid(make())).toBe(toMermaid(make()));
    const f = join(HERE, 'models/skip_and_branch.dlm');
    expect(toMermaid(compileDlm(f), { depth: 2 })).toBe(toMermaid(compileDlm(f), { depth: 2 }));
  });

  it('ids do not depend on other models or on order', () => {
    const [g, d] = gan();
    const both = toMermaid([g!, d!]);
    const swapped = toMermaid([d!, g!]);
    const ids = (t: string) => new Set([...t.matchAll(/\bn_\w+/g)].map((m) => m[0]));
    expect(ids(both)).toEqual(ids(swapped));
  });

  it('keeps ids distinct when different names sanitize alike', () => {
    const m1 = mnistCnn();
    const m2 = { ...mnistCnn(), name: 'Mnist-Cnn' };
    const m3 = { ...mnistCnn(), name: 'Mnist Cnn' };
    const text = toMermaid([m1, m2, m3].map((g, i) => (i === 0 ? { ...g, name: 'Mnist_Cnn' } : g)));
    const decl = [...text.matchAll(/^ *(n_\w+)[[(]/gm)].map((m) => m[1]);
    expect(new Set(decl).size).toBe(decl.length);
    expect(text).toMatch(/n_Mnist_Cnn_conv2d_1_[0-9a-f]{8}/);
  });
});

describe('escaping', () => {
  it('escapes every hostile string so it stays inside its label', () => {
    const text = toMermaid([hostile()]);
    checkLines(text);
    const labels = nodes(text).join('\n') + subgraphs(text).join('\n');
    for (const h of HOSTILE) expect(labels).toContain(h.replace(/\n/g, '\n'));
    // Nothing the user wrote survives as raw syntax.
    expect(text).not.toMatch(/%%/);
    expect(text).not.toMatch(/<img/);
    expect(text).not.toMatch(/`/);
  });

  it('escapes characters Mermaid would interpret', () => {
    expect(escapeLabel('a"b')).toBe('a#34;b');
    expect(escapeLabel('#quot;')).toBe('#35;quot#59;');
    expect(escapeLabel('<b>')).toBe('#60;b#62;');
    expect(escapeLabel('x:y;z%')).toBe('x#58;y#59;z#37;');
    expect(escapeLabel('batch×10 naïve')).toBe('batch×10 naïve');
    expect(escapeLabel('a\nb\u202e')).toBe('a#10;b#8238;');
    expect(escapeLabel('🚀')).toBe('🚀');
  });

  it('wraps the diagram in a titled Markdown fence', () => {
    const md = toMarkdown(gan(), { title: 'A *GAN*' });
    expect(md.startsWith('## A \\*GAN\\*\n\n```mermaid\nflowchart TB\n')).toBe(true);
    expect(md.endsWith('\n```\n')).toBe(true);
    expect(toMarkdown([mnistCnn()]).startsWith('## MnistCnn\n')).toBe(true);
  });
});

describe('ids', () => {
  it('keeps readable ids, hashes only names that collide, and ignores order', () => {
    const entries: [string, string][] = [
      ['k1', 'Model_conv'],
      ['k2', 'Model conv'],
      ['k3', 'Model-conv'],
      ['k4', 'Model_dense'],
    ];
    const a = allocateIds(new Map(entries));
    const b = allocateIds(new Map([...entries].reverse()));
    expect(a).toEqual(b);
    expect(a.get('k4')).toBe('n_Model_dense');
    const collided = ['k1', 'k2', 'k3'].map((k) => a.get(k)!);
    expect(new Set(collided).size).toBe(3);
    for (const id of collided) expect(id).toMatch(/^n_Model_conv_[0-9a-f]{8}$/);
  });

  it('never lets a readable id and a hashed one meet', () => {
    const first = allocateIds(new Map([['x', 'a b'], ['y', 'a_b']]));
    const hashed = first.get('x')!.slice(2);
    const ids = allocateIds(new Map([['x', 'a b'], ['y', 'a_b'], ['z', hashed]]));
    expect(new Set(ids.values()).size).toBe(3);
  });
});
