/**
 * The extension package: its manifest points at files that exist and agree with each other, the
 * client finds the workspace's language server, and `vsce package --no-dependencies` (what CI
 * runs) produces a .vsix holding the bundled client, the grammar and the configuration.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('vscode', () => ({ window: {}, workspace: {} }));
vi.mock('vscode-languageclient/node', () => ({ LanguageClient: class {}, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } }));

const pkg = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));

describe('manifest', () => {
  it('contributes the dlm language, its configuration and its grammar', () => {
    const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'dlm');
    expect(lang.extensions).toEqual(['.dlm']);
    const config = JSON.parse(readFileSync(join(pkg, lang.configuration), 'utf8'));
    expect(config.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
    const g = manifest.contributes.grammars[0];
    expect(g.language).toBe('dlm');
    const grammar = JSON.parse(readFileSync(join(pkg, g.path), 'utf8'));
    expect(grammar.scopeName).toBe(g.scopeName);
    // Every `include` names a repository entry.
    const includes = [...JSON.stringify(grammar).matchAll(/"include":"#([^"]+)"/g)].map((m) => m[1]!);
    for (const inc of includes) expect(Object.keys(grammar.repository)).toContain(inc);
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.engines.vscode).toMatch(/^\^1\.\d+\.0$/);
    // vsce rejects scoped names; the publisher.name pair is the extension id.
    expect(manifest.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });
});

describe('client', () => {
  it('finds @dlm/language-server installed in a workspace folder, else falls back to PATH', async () => {
    const { findServerModule, serverOptions } = await import('../src/extension.js');
    const resolve = (id: string, from: string) => createRequire(join(from, 'noop.js')).resolve(id);
    const repo = join(pkg, '../..');
    const found = findServerModule('', ['/nonexistent-folder', repo], resolve);
    expect(found).toBe(join(repo, 'apps/language-server/bin/dlm-language-server.js'));
    expect(existsSync(found!)).toBe(true);
    expect(findServerModule('/opt/x.js', [repo], resolve)).toBe('/opt/x.js');
    expect(findServerModule('', [tmpdir()], resolve)).toBeUndefined();
    expect(serverOptions(found)).toEqual({ run: { module: found, transport: 0 }, debug: { module: found, transport: 0 } });
    expect(serverOptions(undefined)).toMatchObject({ command: 'dlm-language-server', args: ['--stdio'] });
  });
});

describe('vsce package', () => {
  it('packages the bundled extension into a .vsix', () => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: pkg, stdio: 'pipe' });
    const bundle = readFileSync(join(pkg, 'dist/extension.js'), 'utf8');
    // vscode-languageclient is inside the bundle; only `vscode` is left to the editor.
    expect(bundle).not.toMatch(/require\("vscode-languageclient/);
    expect(bundle).toMatch(/require\("vscode"\)/);
    const dir = mkdtempSync(join(tmpdir(), 'dlm-vsix-'));
    try {
      const out = join(dir, 'dlm.vsix');
      execFileSync(process.execPath, [join(pkg, 'scripts/package.mjs'), out], { cwd: pkg, stdio: 'pipe' });
      const zip = readFileSync(out);
      expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
      const names = zipNames(zip);
      for (const f of ['extension/package.json', 'extension/dist/extension.js', 'extension/syntaxes/dlm.tmLanguage.json', 'extension/language-configuration.json', 'extension.vsixmanifest']) {
        expect(names).toContain(f);
      }
      expect(names.some((n) => n.includes('node_modules') || n.includes('/src/') || n.includes('/test/'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** File names from a zip's central directory. */
function zipNames(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = zip.readUInt16LE(p + 28);
    const m = zip.readUInt16LE(p + 30);
    const k = zip.readUInt16LE(p + 32);
    names.push(zip.subarray(p + 46, p + 46 + n).toString('utf8'));
    p += 46 + n + m + k;
  }
  return names;
}
