/**
 * A small CSV/TSV reader (RFC 4180 quoting: "a, b" and doubled "" quotes, fields spanning lines)
 * that keeps the line number of each row, so errors point at the line in the user's file.
 */
import { DatasetError } from '@dlm/core';

export interface Row {
  /** 1-based line where the row starts. */
  line: number;
  fields: string[];
}

/** Picks ',' ';' or tab: `.tsv` files are tab-separated, otherwise the most frequent in line 1. */
export function sniffDelimiter(text: string, file: string): string {
  if (/\.tsv$/i.test(file)) return '\t';
  const first = text.slice(0, text.search(/\r?\n|$/));
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';']) {
    const n = first.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Parses delimited text; blank lines are skipped. */
export function parseDelimited(text: string, file: string, delimiter = sniffDelimiter(text, file)): Row[] {
  const rows: Row[] = [];
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // BOM
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let endOfRow = false;
    while (!endOfRow) {
      if (i < n && text[i] === '"' && field === '') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new DatasetError(`${file}:${quoteLine}: unterminated quoted field`, file);
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          throw new DatasetError(`${file}:${line}: unexpected text after a closing quote`, file);
        }
      }
      while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      fields.push(field);
      field = '';
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      if (i < n && text[i] === '\r') i++;
      if (i < n && text[i] === '\n') i++;
      line++;
      endOfRow = true;
    }
    if (!(fields.length === 1 && fields[0].trim() === '')) rows.push({ line: startLine, fields });
  }
  return rows;
}

/**
 * Parses a decimal number as CSV writers print it. Empty strings, hex, `NaN` and `Infinity` are
 * rejected: a non-finite feature would silently poison training.
 */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  const v = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : NaN;
  return Number.isFinite(v) ? v : undefined;
}
