/**
 * Escaping and identifiers. Names and strings come from .dlm files and plugins, so nothing a user
 * writes may reach Mermaid's grammar unescaped: labels go inside `"…"` strings with every
 * character outside a small safe set written as a Mermaid entity (`#35;` → `&#35;`), and ids are
 * built from a restricted alphabet with a deterministic collision fallback.
 */

/**
 * Characters kept verbatim in labels: ASCII letters, digits, space, punctuation that means nothing
 * inside a Mermaid string (`_ , . - + * / = ! ? ' ( ) [ ]`), and printable non-ASCII (`×`, `→`,
 * letters of any script). Everything else is written as a numeric entity: `"` ends the string;
 * `#` and `;` form entities; `:` takes part in Mermaid's `style…:…#…;` rewrite; `%` starts
 * comments and directives; `<`, `>`, `&` are HTML; `$` is KaTeX; a backtick starts a Markdown
 * string; `|`, `{`, `}`, backslash, `~`, `^`, `@` are encoded out of caution. Mermaid's preprocessing
 * runs on the raw text before its parser and does not respect quotes, so quoting alone is not enough.
 */
const SAFE = /[A-Za-z0-9 _,.\-+*\/=!?'()[\]]/;
/** Control, format, separator and private-use characters never print verbatim. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;

/** Escapes text for use inside a Mermaid `"…"` label (node, edge or subgraph title). */
export function escapeLabel(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 128 ? SAFE.test(ch) : !UNPRINTABLE.test(ch)) out += ch;
    else out += `#${cp};`;
  }
  return out;
}

/** Joins already-escaped label lines with a line break Mermaid understands in every label kind. */
export function joinLines(lines: readonly string[]): string {
  return lines.join('<br/>');
}

/** The readable part of an id: letters, digits and `_` only. */
function sanitize(s: string): string {
  const out = s.replace(/[^A-Za-z0-9_]+/g, '_');
  return out.length > 0 ? out : '_';
}

/** FNV-1a over UTF-16 code units, as 8 hex digits: a stable, dependency-free short hash. */
export function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Assigns Mermaid ids to a set of keys (each key a stable description of what it names: model,
 * kind and path). The readable id comes from `readable(key)`; when two different keys sanitize to
 * the same id, every one of them gets a hash of its key appended. The result depends only on the
 * set of keys, never on their order or on counters, so the same model always gets the same ids.
 */
export function allocateIds(entries: ReadonlyMap<string, string>): Map<string, string> {
  // entries: key → readable base (unsanitized)
  const byBase = new Map<string, string[]>();
  for (const [key, base] of entries) {
    const id = `n_${sanitize(base)}`;
    const list = byBase.get(id);
    if (list) list.push(key);
    else byBase.set(id, [key]);
  }
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const [id, keys] of byBase) {
    if (keys.length === 1) {
      out.set(keys[0]!, id);
      taken.add(id);
    }
  }
  for (const [id, keys] of byBase) {
    if (keys.length === 1) continue;
    for (const key of [...keys].sort()) {
      let candidate = `${id}_${hash8(key)}`;
      // A readable id that happens to look like a hashed one: extend the hash until free.
      for (let salt = 1; taken.has(candidate); salt++) candidate = `${id}_${hash8(key)}${hash8(`${salt}:${key}`)}`;
      out.set(key, candidate);
      taken.add(candidate);
    }
  }
  return out;
}

/** A class name safe for `classDef` / `:::` (plugins choose these names). */
export function sanitizeClass(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]+/g, '_');
  return /^[A-Za-z]/.test(s) ? s : `c_${s}`;
}
