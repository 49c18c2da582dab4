/** Source positions: offsets to line/column spans. */
import type { SourceSpan } from './ir.js';

/** Maps offsets to 1-based line/column for one file; built once per file. */
export class LineMap {
  private readonly starts: number[] = [0];
  /**
   * The line (0-based) of the last lookup. A parser asks for spans in nearly increasing order, most
   * within a line or two of the last one: those are found without a binary search over the file.
   */
  private last = 0;
  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; col: number } {
    const lo = this.lineIndex(offset);
    return { line: lo + 1, col: this.column(offset, lo) };
  }
  /** Span of [start, end) (end exclusive). */
  span(start: number, end: number): SourceSpan {
    const e = Math.max(start, end);
    const a = this.lineIndex(start);
    const b = this.lineIndex(e);
    return { file: this.file, start, end: e, line: a + 1, col: this.column(start, a), endLine: b + 1, endCol: this.column(e, b) };
  }

  /** 1-based column of `offset` on line `index` (0-based). */
  private column(offset: number, index: number): number {
    // A byte-order mark is invisible: columns on the first line count from after it.
    const bom = index === 0 && offset > 0 && this.text.charCodeAt(0) === 0xfeff ? 1 : 0;
    return offset - this.starts[index]! + 1 - bom;
  }

  /** The last line (0-based) whose start is at or before `offset` (line 0 for offsets before 0). */
  private lineIndex(offset: number): number {
    const starts = this.starts;
    const n = starts.length;
    let lo = this.last;
    // The last line, or the one after it.
    if (starts[lo]! <= offset) {
      if (lo + 1 >= n || starts[lo + 1]! > offset) return lo;
      if (lo + 2 >= n || starts[lo + 2]! > offset) return (this.last = lo + 1);
    }
    lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (this.last = lo);
  }
}
