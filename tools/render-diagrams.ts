/**
 * Renders the diagram of every example model into docs/diagrams/ (the committed SVGs the docs
 * show). Uses the real Mermaid in headless Chromium, one browser for all files.
 *
 *   npx tsx --conditions=@dlm/source tools/render-diagrams.ts [--png DIR]
 *
 * --png DIR additionally writes a PNG of each (light and dark theme) for a visual check.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, hasErrors, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { DiagramError, toMermaid, withRenderer } from '@dlm/mermaid';
import { stdPlugin } from '@dlm/plugin-std';
import extras from 'dlm-plugin-extras';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs', 'diagrams');

function dlmFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (e === 'node_modules' || e === 'fixtures') continue;
    if (statSync(p).isDirectory()) out.push(...dlmFiles(p));
    else if (e.endsWith('.dlm')) out.push(p);
  }
  return out;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const pngDir = args[0] === '--png' ? args[1] : undefined;
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  registry.register(extras); // the example plugin, for examples/plugins/*/examples/*.dlm
  const classOf = (kind: string) => registry.get('layer', kind)?.def.diagramClass;
  const jobs: { name: string; text: string }[] = [];
  let failed = false;
  for (const file of dlmFiles(join(ROOT, 'examples'))) {
    const out = compileSource(readFileSync(file, 'utf8'), relative(ROOT, file), { registry });
    if (hasErrors(out.diagnostics)) {
      process.stderr.write(formatDiagnostics(out.diagnostics, { sources: out.sources }));
      failed = true;
      continue;
    }
    jobs.push({ name: basename(file, '.dlm'), text: toMermaid(out.program, { classOf }) });
  }
  mkdirSync(OUT, { recursive: true });
  if (pngDir) mkdirSync(pngDir, { recursive: true });
  try {
    await withRenderer(async (r) => {
      for (const job of jobs) {
        writeFileSync(join(OUT, `${job.name}.mmd`), job.text);
        writeFileSync(join(OUT, `${job.name}.svg`), (await r.svg(job.text)) + '\n');
        process.stdout.write(`docs/diagrams/${job.name}.svg\n`);
        if (pngDir) {
          writeFileSync(join(pngDir, `${job.name}.png`), await r.png(job.text));
          writeFileSync(join(pngDir, `${job.name}.dark.png`), await r.png(job.text, { theme: 'dark' }));
        }
      }
    });
  } catch (e) {
    if (e instanceof DiagramError) {
      process.stderr.write(`error[${e.diagnostic.code}]: ${e.diagnostic.message}\n`);
      return 1;
    }
    throw e;
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
