/** Source positions: offsets to line/column spans. */
import type { SourceSpan } from './ir.js';

/** Maps offsets to 1-based line/column for one file; built once per file. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    // A byte-order mark is invisible: columns on the first line count from after it.
    const bom = lo === 0 && offset > 0 && this.text.charCodeAt(0) === 0xfeff ? 1 : 0;
    return { line: lo + 1, col: offset - this.starts[lo]! + 1 - bom };
  }
  /** Span of [start, end) (end exclusive). */
  span(start: number, end: number): SourceSpan {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { file: this.file, start, end: Math.max(start, end), line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }
}
