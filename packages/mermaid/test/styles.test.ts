import { CORE_OPS } from '@dlm/core';
import { describe, expect, it } from 'vitest';
import { classOfOp, isBuiltinClass } from '../src/styles.js';

describe('classOfOp', () => {
  it('styles a bare op by its schema category', () => {
    expect(classOfOp('Add')).toBe('merge');
    expect(classOfOp('Gelu')).toBe('activation');
    expect(classOfOp('Reshape')).toBe('shape');
    expect(classOfOp('Conv')).toBe('conv');
    expect(classOfOp('Gemm')).toBe('dense');
    expect(classOfOp('LSTM')).toBe('recurrent');
  });
  it('gives every core op a built-in class, and an unknown op the generic one', () => {
    for (const s of CORE_OPS) expect(isBuiltinClass(classOfOp(s.name)), s.name).toBe(true);
    expect(classOfOp('NotAnOp')).toBe('op');
  });
});
