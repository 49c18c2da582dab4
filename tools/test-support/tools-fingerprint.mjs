#!/usr/bin/env node
// Printed into Nx's hash of every `test` task (nx.json, a "runtime" input): which system tools a
// test run could use, and whether CI makes them required. Without it Nx would replay a result
// recorded on a machine where a tool was missing (its tests skipped) as a pass on a machine where
// the tool is present, or under CI where a missing tool must fail. Cheap on purpose: it asks
// Python whether the modules can be found (find_spec) without importing torch.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const python = process.env.DLM_PYTHON3 ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const modules = ['onnx', 'torch', 'PIL', 'google.protobuf'];
const probe = `import importlib.util as u\nfor m in ${JSON.stringify(modules)}:\n    try: print(m, u.find_spec(m) is not None)\n    except Exception: print(m, False)`;
const py = spawnSync(python, ['-c', probe], { encoding: 'utf8', timeout: 30_000 });
// The names tools/test-support/system-tools.ts (via @dlm/mermaid's findChromium) looks for on PATH.
const browsers = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
const chromium = process.env.DLM_CHROMIUM ?? browsers.flatMap((b) => dirs.map((d) => path.join(d, b))).find((p) => existsSync(p)) ?? 'none';
const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
process.stdout.write(
  JSON.stringify({ ci, hidden: process.env.DLM_HIDE_TOOLS ?? '', python: py.status === 0 ? py.stdout.trim().split('\n') : 'none', chromium }) + '\n',
);
