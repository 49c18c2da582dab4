/** .dlm highlighting for CodeMirror (a stream tokenizer with the TextMate grammar's categories). */
import { StreamLanguage } from '@codemirror/language';

const KEYWORDS = new Set(['model', 'block', 'train', 'let', 'input', 'output', 'import', 'repeat', 'as', 'div', 'if', 'else', 'for', 'in', 'and', 'or', 'not']);
const TRAIN_KEYS = new Set(['data', 'loss', 'optimizer', 'regularize', 'metrics', 'epochs', 'seed', 'validation_split', 'clip', 'schedule', 'generator', 'discriminator']);

export const dlmLanguage = StreamLanguage.define<{ inComment: boolean }>({
  name: 'dlm',
  startState: () => ({ inComment: false }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo('*/')) {
        stream.next();
        stream.next();
        state.inComment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match('/*')) {
      state.inComment = true;
      return 'comment';
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^(?:\d+(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?/)) return 'number';
    if (stream.match('|>')) return 'operator';
    if (stream.match(/^(?:\.\.\.?|==|!=|<=|>=|[<>@])/)) return 'operator';
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (KEYWORDS.has(w)) return 'keyword';
      if (w === 'true' || w === 'false') return 'atom';
      if (/^(f32|i32|i64|bool)$/.test(w) && stream.peek() === '[') return 'typeName';
      if (stream.sol() || (TRAIN_KEYS.has(w) && stream.string.slice(0, stream.start).trim() === '')) return TRAIN_KEYS.has(w) ? 'keyword' : 'variableName';
      if (stream.peek() === '(') return 'function';
      return 'variableName';
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
});
