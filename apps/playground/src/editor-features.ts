/**
 * Hover and completion in the playground's editor, from the same analysis the language server
 * uses (@dlm/language-server's `hover` and `complete`), so the page and VS Code show the same
 * shapes, parameter counts and suggestions.
 */
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { hoverTooltip } from '@codemirror/view';
import { complete, hover, type Analysis } from '@dlm/language-service';

/** The tiny Markdown subset hovers use (**bold**, `code`, paragraphs, "- " items) as safe HTML. */
export function markdownToHtml(md: string): string {
  const esc = md.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return esc
    .split(/\n\n/)
    .map((p) => `<p>${p.replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>').replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\n/g, '<br>')}</p>`)
    .join('');
}

const KIND: Record<string, string> = { layer: 'function', block: 'class', value: 'variable', constant: 'constant', argument: 'property', plugin: 'namespace', keyword: 'keyword', model: 'class' };

export function editorFeatures(current: () => Analysis | undefined) {
  const tooltips = hoverTooltip((view, pos) => {
    const an = current();
    if (!an || an.text !== view.state.doc.toString()) return null;
    const h = hover(an, pos);
    if (!h) return null;
    return {
      pos: Math.min(h.span.start, pos),
      end: Math.max(Math.min(h.span.end, view.state.doc.length), pos),
      above: true,
      create: () => {
        const dom = document.createElement('div');
        dom.className = 'dlm-hover';
        dom.innerHTML = markdownToHtml(h.markdown);
        return { dom };
      },
    };
  });
  const completions = autocompletion({
    override: [
      (ctx: CompletionContext): CompletionResult | null => {
        const an = current();
        if (!an) return null;
        const word = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
        if (!word && !ctx.explicit && !/[(,>:]\s*$/.test(ctx.state.doc.sliceString(Math.max(0, ctx.pos - 3), ctx.pos))) return null;
        // Completion reads only the tokens before the cursor, so the latest analysis is enough
        // even when the text has moved on since (names in scope come from the last compile).
        const text = ctx.state.doc.toString();
        const entries = complete({ ...an, text }, ctx.pos);
        return {
          from: word ? word.from : ctx.pos,
          options: entries.map((e) => ({ label: e.label, type: KIND[e.kind] ?? 'text', ...(e.detail ? { detail: e.detail } : {}), ...(e.doc ? { info: e.doc } : {}), ...(e.insertText ? { apply: e.insertText } : {}) })),
          validFor: /^[A-Za-z_][A-Za-z0-9_]*$/,
        };
      },
    ],
  });
  return [tooltips, completions];
}
