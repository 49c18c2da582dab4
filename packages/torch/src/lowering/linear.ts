/** MatMul (torch.matmul has NumPy matmul semantics) and Gemm (F.linear in the dense case). */
import { py, type PyExpr } from '../emitter.js';
import { num, type TorchLoweringRule } from './types.js';

export const matMul: TorchLoweringRule = {
  op: 'MatMul',
  emits: 'torch.matmul',
  lower: (ctx) => ctx.assign(py.call('torch.matmul', [ctx.input(0), ctx.input(1)])),
};

export const gemm: TorchLoweringRule = {
  op: 'Gemm',
  emits: 'F.linear (transB=1, alpha=beta=1, the dense layer); otherwise torch.mm / torch.addmm',
  lower: (ctx) => {
    const a = ctx.node.attrs;
    const alpha = num(a, 'alpha', 1);
    const beta = num(a, 'beta', 1);
    const transA = num(a, 'transA', 0) !== 0;
    const transB = num(a, 'transB', 0) !== 0;
    const c = ctx.has(2) ? ctx.input(2) : undefined;
    if (!transA && transB && alpha === 1 && beta === 1) {
      // PyTorch's Linear stores its weight [out, in] exactly as dense's Gemm(transB=1) does.
      ctx.assign(py.call('F.linear', c ? [ctx.input(0), ctx.input(1), c] : [ctx.input(0), ctx.input(1)]));
      return;
    }
    const A: PyExpr = transA ? py.method(ctx.input(0), 't') : ctx.input(0);
    const B: PyExpr = transB ? py.method(ctx.input(1), 't') : ctx.input(1);
    if (c) ctx.assign(py.call('torch.addmm', [c, A, B], { beta: beta === 1 ? undefined : py.float(beta), alpha: alpha === 1 ? undefined : py.float(alpha) }));
    else ctx.assign(alpha === 1 ? py.call('torch.mm', [A, B]) : py.bin('*', py.call('torch.mm', [A, B]), py.float(alpha)));
  },
};
