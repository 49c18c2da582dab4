/**
 * Diagnostics are data. Detection code creates them with a catalogue code and arguments; wording
 * lives in ./messages.ts only, so messages can change without touching any phase.
 */
import type { SourceSpan } from './ir.js';
import { MESSAGES, type MessageCode } from './messages.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code such as "DLM2003". */
  code: string;
  severity: Severity;
  message: string;
  span?: SourceSpan;
  /** Further explanation lines; each may carry its own location (e.g. "the other shape came from …"). */
  notes: DiagnosticNote[];
  /** "did you mean" suggestion, already part of the message or notes; kept for tools (LSP quick fix). */
  suggestion?: string;
}

export interface DiagnosticNote {
  message: string;
  span?: SourceSpan;
}

/** Every phase returns this; only internal bugs throw. */
export interface PhaseResult<T> {
  result: T;
  diagnostics: Diagnostic[];
}

/** Longest argument quoted in a message; a megabyte-long name is shown by its start. */
export const MAX_ARG_LENGTH = 200;

/** Substitutes `{0}`, `{1}`, … in a catalogue template. */
export function formatMessage(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    if (v === undefined) return m;
    const text = String(v);
    return text.length > MAX_ARG_LENGTH ? `${text.slice(0, MAX_ARG_LENGTH)}…` : text;
  });
}

/** Builds a diagnostic from the catalogue. */
export function diag(
  code: MessageCode,
  args: readonly (string | number)[],
  span?: SourceSpan,
  notes: DiagnosticNote[] = [],
  suggestion?: string,
): Diagnostic {
  const entry = MESSAGES[code];
  let message = formatMessage(entry.message, args);
  if (suggestion !== undefined) message += ` Did you mean '${suggestion}'?`;
  const d: Diagnostic = { code, severity: entry.severity, message, notes };
  if (span) d.span = span;
  if (suggestion !== undefined) d.suggestion = suggestion;
  return d;
}

/** Collects diagnostics of one phase. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.items.push(d);
  }
  report(
    code: MessageCode,
    args: readonly (string | number)[],
    span?: SourceSpan,
    notes: DiagnosticNote[] = [],
    suggestion?: string,
  ): Diagnostic {
    const d = diag(code, args, span, notes, suggestion);
    this.items.push(d);
    return d;
  }
  addAll(ds: readonly Diagnostic[]): void {
    for (const d of ds) this.items.push(d);
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Sorts by file, then offset, then code, so output is deterministic. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.span?.file ?? '';
    const fb = b.span?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const sa = a.span?.start ?? -1;
    const sb = b.span?.start ?? -1;
    if (sa !== sb) return sa - sb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}

// ───────────────────────────── did you mean ─────────────────────────────

/**
 * Damerau–Levenshtein (optimal string alignment) distance, with three rolling rows: checking one
 * name against a hundred candidates thousands of times (a file full of typos) allocates little.
 */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/**
 * The closest candidate to `name`, or undefined when nothing is close enough to be a plausible
 * typo. Case-insensitive equality and separator differences (`maxpool` vs `max_pool`) win outright.
 * Otherwise at most a third of the length in edits (at least one), keeping at least half of `name`.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const target = norm(name);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    if (norm(c) === target) return c;
    // The distance is at least the difference in length: a candidate that far off can never be
    // close enough, and skipping it keeps a megabyte-long name from costing seconds.
    if (Math.abs(c.length - name.length) > Math.max(1, Math.floor(Math.max(name.length, c.length) / 3))) continue;
    const dist = editDistance(name.toLowerCase(), c.toLowerCase());
    if (dist < bestScore || (dist === bestScore && best !== undefined && c < best)) {
      best = c;
      bestScore = dist;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  // A third of the length allows one edit even to a one-letter name, and one edit there leaves
  // nothing of it ('x' → 'M'). Like TypeScript, which ignores short candidates unless only case
  // differs, a short name gets a suggestion only when at least half of it survives (`h2` → `h1`);
  // a case or separator difference already returned above (`m` → `M`).
  const keepsHalf = bestScore * 2 <= name.length;
  return bestScore <= limit && keepsHalf ? best : undefined;
}
