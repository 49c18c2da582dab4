/**
 * The VS Code side of dlm: starts @dlm/language-server over stdio and hands it every .dlm file.
 * Syntax colouring needs no server (syntaxes/dlm.tmLanguage.json); everything else (diagnostics,
 * hover, completion, definition, outline, formatting, rename) comes from the server.
 */
import * as path from 'node:path';
import { window, workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/**
 * Where the server is: the `dlm.server.path` setting, else the @dlm/language-server installed in a
 * workspace folder (so a project pins its own dlm), else undefined (then `dlm-language-server` on PATH).
 */
export function findServerModule(configured: string | undefined, folders: readonly string[], resolve: (id: string, from: string) => string): string | undefined {
  if (configured) return configured;
  for (const folder of folders) {
    try {
      const pkg = resolve('@dlm/language-server/package.json', folder);
      return path.join(path.dirname(pkg), 'bin', 'dlm-language-server.js');
    } catch {
      // not installed in this folder
    }
  }
  return undefined;
}

export function serverOptions(module: string | undefined): ServerOptions {
  if (module) return { run: { module, transport: TransportKind.stdio }, debug: { module, transport: TransportKind.stdio } };
  const command = process.platform === 'win32' ? 'dlm-language-server.cmd' : 'dlm-language-server';
  return { command, args: ['--stdio'], transport: TransportKind.stdio };
}

export async function activate(context: ExtensionContext): Promise<void> {
  const configured = workspace.getConfiguration('dlm').get<string>('server.path');
  const folders = (workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const module = findServerModule(configured, folders, (id, from) => require.resolve(id, { paths: [from] }));
  client = new LanguageClient('dlm', 'dlm language server', serverOptions(module), {
    documentSelector: [{ language: 'dlm' }],
    synchronize: { fileEvents: workspace.createFileSystemWatcher('**/{*.dlm,dlm.config.json}') },
  });
  try {
    await client.start();
  } catch (e) {
    void window.showErrorMessage(`dlm: could not start the language server (${e instanceof Error ? e.message : String(e)}). Install @dlm/language-server in the workspace or set dlm.server.path.`);
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
