/**
 * The LSP wiring: documents in, analyses out. Each open document is analysed (parse + compile with
 * the same registry `dlm` would build) when it changes, after a short pause so that typing stays
 * responsive, and its diagnostics are published. Requests use the latest analysis of the current
 * text (computed on demand when the pause has not elapsed yet).
 */
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DiagnosticTag,
  DocumentHighlightKind,
  MarkupKind,
  ResponseError,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type InitializeResult,
  type Range,
  type TextEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { didYouMean, type Diagnostic, type SourceSpan } from '@dlm/core';
import { format } from '@dlm/language';
import { analyze, CompileCache, complete, definition, highlights, hover, outline, references, rename, renameLocations, signature, type Analysis, type CompletionEntry, type OutlineItem } from '@dlm/language-service';
import { loadRegistry, configFor, type LoadedRegistry } from './registry.js';

export interface ServerOptions {
  /** Milliseconds between the last edit and re-checking (default 150). */
  debounceMs?: number;
}

/** Path used as the compiler's file name for a document URI (file URIs become paths). */
export function uriToFile(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

function fileToUri(file: string): string {
  return nodePath.isAbsolute(file) ? pathToFileURL(file).href : file;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const debounceMs = options.debounceMs ?? 150;
  const documents = new TextDocuments(TextDocument);
  const registries = new Map<string, Promise<LoadedRegistry>>();
  const analyses = new Map<string, { version: number; analysis: Analysis }>();
  /** Per open document: the models compiled last time, reused when an edit did not touch them. */
  const caches = new Map<string, CompileCache>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const reported = new Set<string>();

  const registryFor = (file: string): Promise<LoadedRegistry> => {
    const onDisk = nodePath.isAbsolute(file) ? file : undefined;
    // One registry per config file: every document under the same dlm.config.json shares it.
    const key = (onDisk && configFor(onDisk, nodePath.dirname(onDisk))) ?? '<std>';
    let r = registries.get(key);
    if (!r) {
      r = loadRegistry(key === '<std>' ? undefined : onDisk);
      registries.set(key, r);
      void r.then((l) => {
        for (const p of l.problems) {
          if (reported.has(p)) continue;
          reported.add(p);
          void connection.window.showWarningMessage(`dlm: ${p}`);
        }
      });
    }
    return r;
  };

  const readFile = (path: string): string | undefined => {
    const open = documents.get(fileToUri(path));
    if (open) return open.getText();
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };

  const analysisOf = async (doc: TextDocument): Promise<Analysis> => {
    const cached = analyses.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.analysis;
    const file = uriToFile(doc.uri);
    const { registry } = await registryFor(file);
    let cache = caches.get(doc.uri);
    if (!cache) caches.set(doc.uri, (cache = new CompileCache()));
    const analysis = analyze(doc.getText(), file, registry, readFile, cache);
    analyses.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  };

  const validate = async (doc: TextDocument): Promise<void> => {
    const version = doc.version;
    const an = await analysisOf(doc);
    if (documents.get(doc.uri)?.version !== version) return; // a newer edit will publish
    const diagnostics = an.diagnostics.map((d) => toLspDiagnostic(d, an, doc));
    await connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
  };

  const schedule = (doc: TextDocument, delay: number) => {
    clearTimeout(timers.get(doc.uri));
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        validate(doc).catch((e: unknown) => connection.console.error(`dlm: checking ${doc.uri} failed: ${String(e)}`));
      }, delay),
    );
  };

  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        // No space: completion popping up at every space in a body would get in the way.
        completionProvider: { triggerCharacters: ['(', ',', '>'] },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        renameProvider: { prepareProvider: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
      },
      serverInfo: { name: 'dlm-language-server', version: '0.1.0' },
    }),
  );

  // Another open file may import the one that changed: re-check them all (cheap; files are small).
  const scheduleAll = (changed: TextDocument, delay: number) => {
    schedule(changed, delay);
    for (const d of documents.all()) {
      if (d.uri === changed.uri) continue;
      analyses.delete(d.uri);
      schedule(d, delay + debounceMs);
    }
  };
  documents.onDidOpen((e) => scheduleAll(e.document, 0));
  documents.onDidChangeContent((e) => scheduleAll(e.document, debounceMs));
  // A dlm.config.json or an imported file changed on disk: reload plugins, re-check everything.
  connection.onDidChangeWatchedFiles((p) => {
    if (p.changes.some((c) => c.uri.endsWith('dlm.config.json'))) registries.clear();
    analyses.clear();
    for (const d of documents.all()) schedule(d, 0);
  });

  // "Did you mean" quick fixes: replace the misspelled name inside the diagnostic's range.
  connection.onCodeAction((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const actions = [];
    for (const d of p.context.diagnostics) {
      const suggestion = (d.data as { suggestion?: string } | undefined)?.suggestion;
      if (d.source !== 'dlm' || !suggestion) continue;
      const start = doc.offsetAt(d.range.start);
      const text = doc.getText(d.range);
      const word = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].find((m) => m[0] !== suggestion && didYouMean(m[0], [suggestion]) === suggestion);
      if (!word) continue;
      const range = { start: doc.positionAt(start + word.index), end: doc.positionAt(start + word.index + word[0].length) };
      actions.push({
        title: `Change '${word[0]}' to '${suggestion}'`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: { changes: { [doc.uri]: [{ range, newText: suggestion }] } },
      });
    }
    return actions;
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    analyses.delete(e.document.uri);
    caches.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const withDoc = async <T>(uri: string, f: (an: Analysis, doc: TextDocument) => T): Promise<T | null> => {
    const doc = documents.get(uri);
    if (!doc) return null;
    return f(await analysisOf(doc), doc);
  };

  connection.onHover((p) =>
    withDoc(p.textDocument.uri, (an, doc) => {
      const h = hover(an, doc.offsetAt(p.position));
      if (!h) return null;
      return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: rangeOf(doc, h.span) };
    }),
  );

  connection.onDefinition((p) =>
    withDoc(p.textDocument.uri, (an, doc) => {
      const span = definition(an, doc.offsetAt(p.position));
      if (!span) return null;
      if (span.file === an.file) return { uri: doc.uri, range: rangeOf(doc, span) };
      // Another file: its lines come from the span (1-based).
      const range: Range = { start: { line: span.line - 1, character: span.col - 1 }, end: { line: span.endLine - 1, character: span.endCol - 1 } };
      return { uri: fileToUri(span.file), range };
    }),
  );

  // Within the document: a name's declaration lives in this file or another, its uses here.
  connection.onReferences((p) =>
    withDoc(p.textDocument.uri, (an, doc) => references(an, doc.offsetAt(p.position), p.context.includeDeclaration).map((s) => ({ uri: doc.uri, range: rangeOf(doc, s) }))),
  );

  connection.onDocumentHighlight((p) =>
    withDoc(p.textDocument.uri, (an, doc) =>
      highlights(an, doc.offsetAt(p.position)).map((h) => ({ range: rangeOf(doc, h.span), kind: h.kind === 'write' ? DocumentHighlightKind.Write : DocumentHighlightKind.Read })),
    ),
  );

  connection.onCompletion((p) =>
    withDoc(p.textDocument.uri, (an, doc) => complete(an, doc.offsetAt(p.position)).map(toCompletionItem)),
  );

  connection.onSignatureHelp((p) =>
    withDoc(p.textDocument.uri, (an, doc) => {
      const sig = signature(an, doc.offsetAt(p.position));
      if (!sig) return null;
      return {
        signatures: [
          {
            label: sig.label,
            ...(sig.doc ? { documentation: { kind: MarkupKind.Markdown, value: sig.doc } } : {}),
            parameters: sig.params.map((q) => ({ label: q.range, ...(q.doc ? { documentation: q.doc } : {}) })),
          },
        ],
        activeSignature: 0,
        activeParameter: sig.active,
      };
    }),
  );

  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, (an, doc) => outline(an).map((o) => toSymbol(o, doc))));

  connection.onDocumentFormatting((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const text = doc.getText();
    const { result } = format(text, uriToFile(doc.uri));
    // A file with syntax errors is left alone (its diagnostics say why).
    if (result === undefined || result === text) return [];
    const edit: TextEdit = { range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: result };
    return [edit];
  });

  connection.onPrepareRename((p) =>
    withDoc(p.textDocument.uri, (an, doc) => {
      const loc = renameLocations(an, doc.offsetAt(p.position));
      if (!loc) return null;
      const here = loc.spans.find((s) => s.start <= doc.offsetAt(p.position) && doc.offsetAt(p.position) <= s.end)!;
      return { range: rangeOf(doc, here), placeholder: loc.decl.name };
    }),
  );

  connection.onRenameRequest(async (p) => {
    const r = await withDoc(p.textDocument.uri, (an, doc) => ({ res: rename(an, doc.offsetAt(p.position), p.newName), doc }));
    if (!r) return null;
    if ('error' in r.res) throw new ResponseError(-32803, r.res.error);
    const edits = r.res.edits.map((s) => ({ range: rangeOf(r.doc, s), newText: p.newName }));
    return { changes: { [p.textDocument.uri]: edits } };
  });

  documents.listen(connection);
  connection.listen();
}

function rangeOf(doc: TextDocument, span: SourceSpan): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

/** A dlm diagnostic as LSP's; one from an imported file is shown on the import that brought it in. */
function toLspDiagnostic(d: Diagnostic, an: Analysis, doc: TextDocument): LspDiagnostic {
  let range: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  let message = d.message;
  if (d.span && d.span.file === an.file) range = rangeOf(doc, d.span);
  else if (d.span) {
    message = `${d.span.file}:${d.span.line}:${d.span.col}: ${d.message}`;
    const imp = an.ast.items.find((i) => i.kind === 'import' && nodePath.normalize(nodePath.join(nodePath.dirname(an.file), i.path)) === d.span!.file);
    if (imp) range = rangeOf(doc, imp.span);
  }
  const out: LspDiagnostic = { range, message, severity: SEVERITY[d.severity], code: d.code, source: 'dlm' };
  if (d.suggestion !== undefined && d.span?.file === an.file) out.data = { suggestion: d.suggestion };
  if (/never used|unused/i.test(d.message) && d.severity !== 'error') out.tags = [DiagnosticTag.Unnecessary];
  const related = d.notes
    .filter((n) => n.span)
    .map((n) => ({
      location: {
        uri: n.span!.file === an.file ? doc.uri : fileToUri(n.span!.file),
        range: n.span!.file === an.file ? rangeOf(doc, n.span!) : { start: { line: n.span!.line - 1, character: n.span!.col - 1 }, end: { line: n.span!.endLine - 1, character: n.span!.endCol - 1 } },
      },
      message: n.message,
    }));
  if (related.length) out.relatedInformation = related;
  const plainNotes = d.notes.filter((n) => !n.span).map((n) => n.message);
  if (plainNotes.length) out.message += '\n' + plainNotes.join('\n');
  return out;
}

const COMPLETION_KIND: Record<CompletionEntry['kind'], CompletionItemKind> = {
  layer: CompletionItemKind.Function,
  block: CompletionItemKind.Class,
  value: CompletionItemKind.Variable,
  constant: CompletionItemKind.Constant,
  argument: CompletionItemKind.Property,
  plugin: CompletionItemKind.Module,
  keyword: CompletionItemKind.Keyword,
  model: CompletionItemKind.Class,
};

function toCompletionItem(e: CompletionEntry) {
  return {
    label: e.label,
    kind: COMPLETION_KIND[e.kind],
    ...(e.detail ? { detail: e.detail } : {}),
    ...(e.doc ? { documentation: { kind: MarkupKind.Markdown, value: e.doc } } : {}),
    ...(e.insertText ? { insertText: e.insertText } : {}),
  };
}

const SYMBOL_KIND: Record<OutlineItem['kind'], SymbolKind> = {
  model: SymbolKind.Class,
  block: SymbolKind.Function,
  constant: SymbolKind.Constant,
  train: SymbolKind.Event,
  import: SymbolKind.Module,
  input: SymbolKind.Field,
  output: SymbolKind.Field,
  value: SymbolKind.Variable,
};

function toSymbol(o: OutlineItem, doc: TextDocument): DocumentSymbol {
  const s: DocumentSymbol = {
    name: o.name,
    kind: SYMBOL_KIND[o.kind],
    range: rangeOf(doc, o.span),
    selectionRange: rangeOf(doc, o.selection),
    children: o.children.map((c) => toSymbol(c, doc)),
  };
  if (o.detail) s.detail = o.detail;
  return s;
}
