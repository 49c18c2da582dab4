/**
 * Tests that need a tool outside npm (a browser, Debian's python3 with onnx or torch) ask here.
 * On a machine without the tool the test is skipped with the note "needs X (install: …)", which
 * the skip-summary reporter lists at the end of the run; when `CI` is set a missing tool fails
 * the test instead, so CI runs everything. `DLM_HIDE_TOOLS=chromium,python3-onnx` makes tools
 * look missing, to try a bare machine without uninstalling anything.
 *
 *   const chromium = systemTool('chromium');
 *   describe('…', () => { beforeEach(needs('chromium')); beforeAll(async () => { if (!chromium.available) return; … }); … });
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from '@dlm/mermaid';

export type ToolName = 'chromium' | 'python3-onnx' | 'python3-torch' | 'python3-pil' | 'python3-protobuf';

export interface SystemTool {
  name: ToolName;
  available: boolean;
  /** The executable to run (the browser, or the python3 that has the module). */
  path: string;
  /** One command that installs it. */
  install: string;
}

/** The python3 with Debian's modules (python3-onnx, python3-torch): not a pyenv/venv one on PATH. */
export const PYTHON3 = process.env['DLM_PYTHON3'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** One command that installs every extra the tests use (also in the README). */
export const INSTALL_ALL_EXTRAS = 'sudo apt-get install chromium python3-onnx python3-torch python3-pil python3-protobuf';

const INSTALL: Record<ToolName, string> = {
  chromium: 'apt-get install chromium, or set DLM_CHROMIUM',
  'python3-onnx': 'apt-get install python3-onnx',
  'python3-torch': 'apt-get install python3-torch',
  'python3-pil': 'apt-get install python3-pil',
  'python3-protobuf': 'apt-get install python3-protobuf',
};

/** The Python module each python3-* tool provides. */
const MODULE: Record<Exclude<ToolName, 'chromium'>, string> = {
  'python3-onnx': 'onnx',
  'python3-torch': 'torch',
  'python3-pil': 'PIL',
  'python3-protobuf': 'google.protobuf',
};

function hidden(name: ToolName): boolean {
  return (process.env['DLM_HIDE_TOOLS'] ?? '').split(',').map((s) => s.trim()).includes(name);
}

function pythonHas(module: string): boolean {
  return spawnSync(PYTHON3, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

const cache = new Map<ToolName, SystemTool>();

export function systemTool(name: ToolName): SystemTool {
  const known = cache.get(name);
  if (known) return known;
  let path: string | undefined;
  if (!hidden(name)) {
    if (name === 'chromium') path = findChromium();
    else if (pythonHas(MODULE[name])) path = PYTHON3;
  }
  const tool = { name, available: path !== undefined, path: path ?? '', install: INSTALL[name] };
  cache.set(name, tool);
  return tool;
}

/** The note a skipped test carries; the reporter groups skips by it. */
export function skipNote(tool: SystemTool): string {
  return `needs ${tool.name} (install: ${tool.install})`;
}

/** True when missing tools must fail the tests (CI). */
export function toolsRequired(): boolean {
  return Boolean(process.env['CI']) && process.env['CI'] !== 'false' && process.env['CI'] !== '0';
}

interface SkippableContext {
  skip: (note?: string) => void;
}

/**
 * A `beforeEach` hook (or a call at the start of a test, with its context): skips the test when a
 * tool is missing, or throws under CI.
 */
export function needs(...names: ToolName[]): (ctx: SkippableContext) => void {
  return (ctx) => {
    for (const n of names) {
      const tool = systemTool(n);
      if (tool.available) continue;
      if (toolsRequired()) throw new Error(`CI is set, so this test requires ${tool.name}, which is missing (install: ${tool.install})`);
      ctx.skip(skipNote(tool));
    }
  };
}
