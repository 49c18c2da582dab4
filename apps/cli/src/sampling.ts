/**
 * Choosing the next token from a language model's scores, for `dlm sample`: temperature, then
 * top-k, then one draw from a seeded generator (`mulberry32` of @dlm/datasets), so the same seed
 * writes the same text. A temperature of 0 takes the most likely token (greedy).
 */

export interface SamplingOptions {
  /** Divides the scores before the softmax; 0 is greedy. */
  temperature: number;
  /** Keep only the k most likely tokens (ties at the k-th score kept); undefined keeps all. */
  topK?: number;
}

/**
 * The probabilities the next token is drawn from: softmax(scores / temperature) over the top-k
 * scores, zero elsewhere. `scores` are logits (what `cross_entropy` trains).
 */
export function nextTokenProbabilities(scores: ArrayLike<number>, o: SamplingOptions): Float64Array {
  const n = scores.length;
  const p = new Float64Array(n);
  let best = 0;
  for (let i = 1; i < n; i++) if (scores[i]! > scores[best]!) best = i;
  if (o.temperature === 0) {
    p[best] = 1;
    return p;
  }
  const kth = o.topK !== undefined && o.topK < n ? Array.from(scores).sort((a, b) => b - a)[o.topK - 1]! : -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (scores[i]! < kth) continue;
    p[i] = Math.exp((scores[i]! - scores[best]!) / o.temperature);
    sum += p[i]!;
  }
  for (let i = 0; i < n; i++) p[i] = p[i]! / sum;
  return p;
}

/** One draw from `p` with a uniform `u` in [0, 1). */
export function drawToken(p: Float64Array, u: number): number {
  let acc = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    last = i;
    acc += p[i]!;
    if (u < acc) return i;
  }
  return last; // u within rounding of 1
}
