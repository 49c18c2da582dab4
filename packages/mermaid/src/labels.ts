/**
 * How the diagram names things: tensor types and parameter counts in labels, block titles with
 * their arguments, the compiler's loop scopes, stable keys for argument records, and whether an
 * instance id is the compiler's automatic one.
 */
import type { ArgValue, LayerRecord, TensorType } from '@dlm/core';

/** `batch×10×24×24`; dtype shown only when it is not the usual f32. */
export function formatTensor(t: TensorType | undefined, withDType = false): string {
  if (!t || t.unknown) return '?';
  const dims = t.shape.length === 0 ? 'scalar' : t.shape.map(String).join('×');
  return withDType || t.dtype !== 'f32' ? `${t.dtype} ${dims}` : dims;
}

/** 1,234 / 1.23M: exact below a million, where the digits still help. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatArg(v: ArgValue): string {
  if (v === null) return 'none';
  if (Array.isArray(v)) return `[${v.map(formatArg).join(', ')}]`;
  if (typeof v === 'object') return `${v.name}(${formatArgs(v.args)})`;
  return String(v);
}

function formatArgs(args: Record<string, ArgValue>): string {
  return Object.keys(args)
    .map((k) => `${k}: ${formatArg(args[k]!)}`)
    .join(', ');
}

/** The compiler's scope for one repetition of `repeat n { … }` (args: { index }). */
export function isRepeat(r: LayerRecord): boolean {
  return r.isBlock && r.plugin === '' && r.kind === 'repeat';
}

/** A scope of `repeat` or of one `for` iteration: its argument is only the loop variable. */
export function isLoop(r: LayerRecord): boolean {
  return isRepeat(r) || (r.isBlock && r.plugin === '' && r.kind === 'for');
}

export function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/** A block's title: its name with its arguments, shortened when long. */
export function blockTitle(r: LayerRecord): string {
  const a = formatArgs(r.args);
  if (!a) return r.label;
  return shorten(`${r.label}(${a})`);
}

/** Keys in sorted order so two equal argument records always serialize the same. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

/** Whether an instance id is the compiler's automatic one (`conv2d_3`) rather than a user's name. */
export function isAutoName(id: string, kind: string): boolean {
  const k = kind.toLowerCase();
  if (!id.toLowerCase().startsWith(`${k}_`)) return false;
  return /^\d+$/.test(id.slice(k.length + 1));
}
