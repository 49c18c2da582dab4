/**
 * The server loads plugins with the CLI's rule (@dlm/plugin-loader): the dlm.config.json nearest to
 * the document, with package folders resolved through their package.json "exports".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './client.js';

const EXTRAS = fileURLToPath(new URL('../../../examples/plugins/dlm-plugin-extras', import.meta.url));
const STRIPES = join(EXTRAS, 'examples/stripes.dlm');
const stripes = readFileSync(STRIPES, 'utf8');

let client: TestClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dlm-ls-plugins-'));
  client = new TestClient();
  await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  await client.notify('initialized', {});
}, 30_000);

afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('plugins in the editor', () => {
  it('uses the config next to the example, by package name: no unknown names', async () => {
    const uri = pathToFileURL(STRIPES).href;
    await client.open(uri, stripes);
    const { diagnostics } = await client.diagnostics(uri);
    expect(diagnostics).toEqual([]);
  }, 30_000);

  it('resolves a package folder named in a config through its "exports" (it has no "main")', async () => {
    const pkg = JSON.parse(readFileSync(join(EXTRAS, 'package.json'), 'utf8')) as { main?: string; exports?: unknown };
    expect(pkg.main).toBeUndefined();
    expect(pkg.exports).toBeDefined();
    writeFileSync(join(dir, 'dlm.config.json'), JSON.stringify({ plugins: [EXTRAS] }));
    const uri = pathToFileURL(join(dir, 'stripes.dlm')).href;
    await client.open(uri, stripes);
    const { diagnostics } = await client.diagnostics(uri);
    expect(diagnostics).toEqual([]);
  }, 30_000);

  it('a file under no config gets the standard plugin only, so plugin layers are unknown there', async () => {
    const other = mkdtempSync(join(tmpdir(), 'dlm-ls-noconfig-'));
    try {
      const uri = pathToFileURL(join(other, 'stripes.dlm')).href;
      await client.open(uri, stripes);
      const { diagnostics } = await client.diagnostics(uri);
      expect(diagnostics.map((d) => d.message)).toContain("Unknown layer 'swish'.");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 30_000);
});
