import { DiagnosticBag, validateArgs } from '@dlm/core';
import { describe, expect, it } from 'vitest';
import { STD_DATASETS } from '../src/node.js';

describe('dataset argument schemas', () => {
  it('registers mnist, fashion_mnist, cifar10, csv, text and chars, each documented', () => {
    expect(STD_DATASETS.map((d) => d.name)).toEqual(['mnist', 'fashion_mnist', 'cifar10', 'csv', 'text', 'chars']);
    for (const d of STD_DATASETS) {
      expect(d.doc.length).toBeGreaterThan(40);
      for (const a of d.args) expect(a.doc.length, `${d.name}.${a.name}`).toBeGreaterThan(10);
    }
  });

  it('every default passes its own schema, and every dataset declares batch and shuffle for the trainer', () => {
    for (const d of STD_DATASETS) {
      const given = d.args.filter((a) => a.default !== undefined).map((a) => ({ name: a.name, value: a.default! }));
      if (d.name === 'csv') given.push({ name: 'path', value: 'x.csv' });
      if (d.name === 'chars') given.push({ name: 'path', value: 'x.txt' });
      const bag = new DiagnosticBag();
      const out = validateArgs(d.name, d.args, given, bag);
      expect(bag.items, d.name).toEqual([]);
      expect(out, d.name).toBeDefined();
      expect(out!.batch, d.name).toBeTypeOf('number');
      expect(out!.shuffle, d.name).toBe(true);
    }
  });

  it('accepts the documented forms: mnist(32), normalize: tanh, sample: false, csv target by name or index', () => {
    const mnist = STD_DATASETS[0];
    const bag = new DiagnosticBag();
    expect(validateArgs('mnist', mnist.args, [{ value: 32 }, { name: 'normalize', value: 'tanh' }, { name: 'sample', value: false }], bag)).toMatchObject({
      batch: 32,
      normalize: 'tanh',
      sample: false,
      download: false,
    });
    const csv = STD_DATASETS[3];
    expect(validateArgs('csv', csv.args, [{ value: 'iris.csv' }, { value: 'species' }], bag)).toMatchObject({ path: 'iris.csv', target: 'species', header: true });
    expect(validateArgs('csv', csv.args, [{ value: 'iris.csv' }, { value: 4 }], bag)).toMatchObject({ target: 4 });
    expect(validateArgs('mnist', mnist.args, [{ name: 'normalize', value: 'zscore' }], bag)).toBeUndefined();
  });
});
