import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { unsupported } from '../src/train-settings.js';

const registry = new PluginRegistry();
registry.register(stdPlugin);

function spec(train: string) {
  const src = `model M {\n  input x: f32[batch, 1, 28, 28]\n  output y: f32[batch, 10]\n  y = x |> flatten |> dense(10)\n}\nmodel G {\n  input z: f32[batch, 784]\n  output img: f32[batch, 1, 28, 28]\n  img = z |> reshape([batch, 1, 28, 28]) |> tanh\n}\nmodel D {\n  input img: f32[batch, 1, 28, 28]\n  output p: f32[batch, 1]\n  p = img |> flatten |> dense(1) |> sigmoid\n}\n${train}\n`;
  const { program, diagnostics } = compileSource(src, 'page.dlm', { registry });
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return program.trainings[0]!;
}

describe('the playground names the train-block settings it cannot run', () => {
  it('runs everything of an MNIST train block, clip, validation_split, augmentations and early stopping included', () => {
    const s = spec('train M {\n  data mnist(batch: 32)\n  loss cross_entropy\n  optimizer adam(lr: 1e-3)\n  regularize random_shift(pad: 2), early_stopping(patience: 2)\n  clip 1.0\n  validation_split 0.1\n  epochs 2\n}');
    expect(unsupported(s)).toEqual([]);
  });
  it('names a dataset that reads files or downloads, and GAN training', () => {
    expect(unsupported(spec('train M {\n  data fashion_mnist(batch: 32)\n  loss cross_entropy\n  optimizer adam(lr: 1e-3)\n  epochs 1\n}'))).toEqual([
      '`data fashion_mnist`: the page has the embedded MNIST sample only, and other datasets read files or download: use `dlm train`',
    ]);
    const gan = spec('train G {\n  generator G\n  discriminator D\n  data mnist(batch: 32)\n  loss bce\n  optimizer adam(lr: 2e-4)\n  epochs 1\n}');
    expect(unsupported(gan)).toEqual(['GAN training (it writes sample grids and checkpoints to a run folder): use `dlm train`']);
  });
});
