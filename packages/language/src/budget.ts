/**
 * The expansion budget: how many layers one model may expand to. `repeat` (and any other
 * construct that multiplies layers, such as compile-time loops) asks the budget before it expands,
 * and every expanded layer is charged to it, so a typo like `repeat 1000 { repeat 1000 { … } }`
 * is one located diagnostic in milliseconds instead of minutes of expansion and gigabytes of IR.
 *
 * Use: `const budget = budgetFor(builder)`; before expanding k copies of something whose size is
 * known (or measured on the first copy), `budget.fits(k * size)`; per layer, `budget.charge()`.
 */
import type { GraphBuilder, SourceSpan } from '@dlm/core';
import type * as A from './ast.js';

/** Most layers (and block instances) one model may expand to. Large real models use a few thousand. */
export const MAX_LAYERS = 100_000;

/**
 * A construct of the model itself (not of a block it instantiates) that is expanding now: where a
 * budget spent inside a block instance is reported, since the model is what multiplies the block.
 */
export interface ExpansionSite {
  /** How the diagnostic names it: `This 'for'`, `This repeat`, `This call of 'B'`. */
  what: string;
  span: SourceSpan;
  /** Iterations or repetitions, for loops; the current one (0-based) in `index`. */
  count?: number;
  index: number;
  /** Budget used when the construct started. */
  usedBefore: number;
}

export class ExpansionBudget {
  used = 0;
  /** Set once the limit has been reported, so a model says it once. */
  reported = false;
  /** The model's constructs expanding now, outermost first. */
  readonly sites: ExpansionSite[] = [];
  /** Depth of the compiler's block stack in the model's own body (deeper is inside a block instance). */
  ownerDepth = 0;
  constructor(readonly limit = MAX_LAYERS) {}

  get remaining(): number {
    return this.limit - this.used;
  }

  fits(layers: number): boolean {
    return layers <= this.remaining;
  }

  /** Charges `layers`; false (and nothing charged) when they do not fit. */
  charge(layers = 1): boolean {
    if (!this.fits(layers)) return false;
    this.used += layers;
    return true;
  }
}

const budgets = new WeakMap<GraphBuilder, ExpansionBudget>();

/** The budget of the model a builder is building (one per model; created on first use). */
export function budgetFor(builder: GraphBuilder): ExpansionBudget {
  let b = budgets.get(builder);
  if (!b) budgets.set(builder, (b = new ExpansionBudget()));
  return b;
}

/**
 * Layers a pipeline of stages expands to at least, from its text alone: a call counts one, a
 * `repeat` with a literal count multiplies its body. Known before anything is expanded, so nested
 * repeats are refused by multiplying their counts.
 */
export function minLayers(stages: readonly A.Expr[]): number {
  let n = 0;
  for (const s of stages) n += minLayersOf(s);
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}

function minLayersOf(e: A.Expr): number {
  switch (e.kind) {
    case 'call':
    case 'name':
      return 1;
    case 'paren':
      return minLayersOf(e.expr);
    case 'repeat':
      return e.count.kind === 'number' && Number.isFinite(e.count.value) && e.count.value > 0 ? e.count.value * minLayers(e.stages) : 0;
    default:
      return 0;
  }
}
