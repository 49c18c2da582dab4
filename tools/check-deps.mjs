#!/usr/bin/env node
// check-deps: enforces dlm's package layering.
//
// Every workspace package carries one layer tag in package.json ("nx": { "tags": ["layer:..."] }).
// Allowed @dlm/* dependencies by layer:
//   layer:core      -> none
//   layer:frontend  -> @dlm/core
//   layer:data      -> @dlm/core            (@dlm/datasets: decoders, files, downloads, caches)
//   layer:plugin    -> @dlm/core, @dlm/datasets
//   layer:backend   -> @dlm/core            (never @dlm/language or @dlm/plugin-std)
//   layer:train     -> @dlm/core            (runtimes are passed in; Node built-ins only under src/node/,
//                                            so its "." entry stays browser-safe)
//   layer:report    -> @dlm/core
//   layer:loader    -> @dlm/core, @dlm/plugin-std   (the plugin loader the hosts share)
//   layer:service   -> @dlm/core, @dlm/language     (the language service the hosts share)
//   layer:app       -> any library package  (never another app)
//   layer:test      -> none                 (test helpers; others list them in devDependencies only)
// Apps (the hosts: cli, language-server, playground, editor extension) live in apps/ and are
// tagged layer:app; both must hold. An app never depends on or imports another app, in any
// dependency field: what two hosts share belongs in a library under packages/.
//
// Also checked in src/:
//   - a deep import into a third-party package's build output or sources ('x/dist/y.js',
//     'x/src/y', also through require.resolve / import.meta.resolve) unless PINNED_DEEP_IMPORTS
//     names it with the test that pins it (the test must exist and name the path);
//   - import() of a computed (non-literal) specifier, unless the line or the line above carries
//     `check-deps: computed-import <reason>` (plugin loaders import user plugins by path);
//   - a `dependencies` entry that src never imports (an unused dependency).
// Checked: import/export/require/import() specifiers in <pkg>/src/**/*.{ts,tsx,mts,cts}, and
// the @dlm/* entries in package.json (dependencies, peerDependencies, optionalDependencies;
// devDependencies may name any workspace package, for tests only: src/ cannot import them). Also forbidden: deep imports into another package ('@dlm/core/src/x',
// '@dlm/core/dist/x', any subpath its "exports" does not declare), relative or absolute
// paths that leave the package ('../../core/src'), and imports of packages not declared in
// package.json.
//
// Usage:
//   node tools/check-deps.mjs                 check every workspace package
//   node tools/check-deps.mjs --package DIR   check one package (its workspace root is found upward)
//   node tools/check-deps.mjs --root DIR      use DIR as the workspace root
// Prints each violation as `file:line: message` and exits 1 if there is any.

import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

export const LAYER_RULES = {
  'layer:core': { allowed: [], why: 'layer:core packages must not depend on any @dlm/* package' },
  'layer:frontend': { allowed: ['@dlm/core'], why: 'layer:frontend packages may only depend on @dlm/core' },
  'layer:data': { allowed: ['@dlm/core'], why: 'layer:data packages may only depend on @dlm/core' },
  'layer:plugin': { allowed: ['@dlm/core', '@dlm/datasets'], why: 'layer:plugin packages may only depend on @dlm/core and @dlm/datasets' },
  'layer:backend': { allowed: ['@dlm/core'], why: 'layer:backend packages may only depend on @dlm/core' },
  'layer:train': {
    allowed: ['@dlm/core'],
    why: 'layer:train packages may only depend on @dlm/core (a runtime is passed in)',
    nodeOnlyUnder: 'src/node',
  },
  'layer:report': { allowed: ['@dlm/core'], why: 'layer:report packages may only depend on @dlm/core' },
  'layer:loader': { allowed: ['@dlm/core', '@dlm/plugin-std'], why: 'layer:loader packages may only depend on @dlm/core and @dlm/plugin-std' },
  'layer:service': { allowed: ['@dlm/core', '@dlm/language'], why: 'layer:service packages may only depend on @dlm/core and @dlm/language' },
  'layer:app': { allowed: '*', why: '' },
  // Helpers for tests (golden files): imported only by tests, through devDependencies.
  'layer:test': { allowed: [], why: 'layer:test packages must not depend on any @dlm/* package' },
};

/** Layers whose packages must never import these (in src or in dependencies), with the reason. */
const FORBIDDEN_BY_LAYER = {
  'layer:backend': {
    names: ['@dlm/language', '@dlm/plugin-std'],
    why: 'backends lower the IR and never import @dlm/language or @dlm/plugin-std',
  },
};

/**
 * Deep imports into a third-party package's build output that a test pins: the test fails when
 * the path moves, so an upgrade cannot break it silently. `test` is relative to the workspace
 * root and must contain `spec` verbatim.
 */
export const PINNED_DEEP_IMPORTS = [
  {
    spec: '@tensorflow/tfjs-core/dist/register_all_gradients.js',
    test: 'packages/tfjs/test/backend.test.ts',
    why: 'tfjs-core registers no gradients unless this file is imported (the tfjs union package does it for its users)',
  },
  {
    spec: '@tensorflow/tfjs-core/dist/register_all_gradients',
    test: 'packages/tfjs/test/backend.test.ts',
    why: 'the playground imports the same file through Vite, which resolves the extension',
  },
  {
    spec: 'mermaid/dist/mermaid.min.js',
    test: 'packages/mermaid/test/mermaid-bundle.test.ts',
    why: 'the renderer loads the Mermaid browser bundle into the headless page',
  },
];

/** The folders of a package's build output or sources, which a deep import must not reach into. */
const BUILD_DIRS = /^(dist|src|lib|build|esm|cjs|out)(\/|$)/;

/** The opt-out comment for a computed import(); a reason must follow it. */
const COMPUTED_IMPORT_OPT_OUT = /check-deps:\s*computed-import\s+\S/;

const SOURCE_EXT = /\.(ts|tsx|mts|cts)$/;
const DEP_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function parseArgs(argv) {
  const out = { root: undefined, packages: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') out.root = argv[++i];
    else if (a === '--package') out.packages.push(argv[++i]);
    else if (a === '-h' || a === '--help') {
      console.log('usage: check-deps.mjs [--root DIR] [--package DIR]...');
      process.exit(0);
    } else throw new Error(`check-deps: unknown argument ${a}`);
  }
  return out;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function findWorkspaceRoot(start) {
  let dir = path.resolve(start);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && readJson(pj).workspaces) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Expands workspace globs of the forms "dir", "dir/*" (enough for this repo). */
function workspaceDirs(root) {
  const pj = readJson(path.join(root, 'package.json'));
  const globs = Array.isArray(pj.workspaces) ? pj.workspaces : (pj.workspaces?.packages ?? []);
  const dirs = [];
  for (const g of globs) {
    if (g.endsWith('/*')) {
      const base = path.join(root, g.slice(0, -2));
      if (!fs.existsSync(base)) continue;
      for (const e of fs.readdirSync(base, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory() && fs.existsSync(path.join(base, e.name, 'package.json'))) dirs.push(path.join(base, e.name));
      }
    } else if (!g.includes('*')) {
      if (fs.existsSync(path.join(root, g, 'package.json'))) dirs.push(path.join(root, g));
    } else {
      throw new Error(`check-deps: unsupported workspace glob ${g}`);
    }
  }
  return dirs;
}

function loadPackage(dir, root) {
  const file = path.join(dir, 'package.json');
  const json = readJson(file);
  const tags = json.nx?.tags ?? [];
  const inApps = root !== undefined && path.relative(root, dir).split(path.sep)[0] === 'apps';
  return { dir, file, json, name: json.name, layers: tags.filter((t) => t.startsWith('layer:')), inApps };
}

const isApp = (pkg) => pkg.layers[0] === 'layer:app';

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walk(p, out);
    } else if (SOURCE_EXT.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * Blanks comments (keeping newlines) so regexes see only code, and marks which
 * positions lie inside string or template literals (so `"import x from 'y'"` in a
 * string is not taken for an import).
 */
export function scanSource(src) {
  const n = src.length;
  const inString = new Uint8Array(n);
  let out = '';
  let i = 0;
  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    if (c === '/' && d === '/') {
      while (i < n && src[i] !== '\n') { out += ' '; i++; }
    } else if (c === '/' && d === '*') {
      out += '  '; i += 2;
      while (i < n && !(src[i] === '*' && src[i + 1] === '/')) { out += src[i] === '\n' ? '\n' : ' '; i++; }
      if (i < n) { out += '  '; i += 2; }
    } else if (c === '"' || c === "'" || c === '`') {
      out += c; i++;
      while (i < n && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < n) { inString[i] = inString[i + 1] = 1; out += src[i] + src[i + 1]; i += 2; continue; }
        if (c !== '`' && src[i] === '\n') break; // unterminated string: stop at line end
        inString[i] = 1; out += src[i]; i++;
      }
      if (i < n) { out += src[i]; i++; }
    } else {
      out += c; i++;
    }
  }
  return { code: out, inString };
}

const IMPORT_PATTERNS = [
  // import x from 'm' / import { a } from 'm' / import * as x from 'm' / import type ... / export ... from 'm'
  { re: /\b(import|export)\s+(type\s+)?(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)?\s*from\s*(['"])([^'"\n]+)\3/g, spec: 4, type: 2 },
  // import 'm'
  { re: /\bimport\s*(['"])([^'"\n]+)\1/g, spec: 2 },
  // import('m')
  { re: /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*[,)]/g, spec: 2 },
  // require('m') and import x = require('m')
  { re: /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g, spec: 2 },
  // require.resolve('m'), createRequire(u).resolve('m'), import.meta.resolve('m'): a reference to a file of the package
  { re: /(?:\brequire|\bimport\.meta|\))\.resolve\s*\(\s*(['"])([^'"\n]+)\1\s*[,)]/g, spec: 2 },
];

/** import( whose argument is not a plain string literal (a template without ${} counts as literal). */
const COMPUTED_IMPORT = /\bimport\s*\(\s*(?!['"]|`[^`$]*`)/g;

/** Returns [{ spec, line, typeOnly }] for every module specifier in a TS source. */
export function findImports(src) {
  const { code, inString } = scanSource(src);
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (pos) => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  };
  const seen = new Set();
  const found = [];
  for (const p of IMPORT_PATTERNS) {
    for (const m of code.matchAll(p.re)) {
      if (inString[m.index]) continue;
      const spec = m[p.spec];
      const pos = m.index + m[0].lastIndexOf(spec);
      if (seen.has(pos)) continue;
      seen.add(pos);
      found.push({ spec, line: lineOf(pos), typeOnly: p.type ? Boolean(m[p.type]) : false });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Lines of `import(<expression>)` without the opt-out comment on the line or the line above. */
export function findComputedImports(src) {
  const { code, inString } = scanSource(src);
  const raw = src.split('\n');
  const lines = [];
  for (const m of code.matchAll(COMPUTED_IMPORT)) {
    if (inString[m.index]) continue;
    const line = code.slice(0, m.index).split('\n').length;
    const optedOut = COMPUTED_IMPORT_OPT_OUT.test(raw[line - 1] ?? '') || COMPUTED_IMPORT_OPT_OUT.test(raw[line - 2] ?? '');
    if (!optedOut) lines.push(line);
  }
  return lines;
}

function packageNameOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function exportedSubpaths(pkg) {
  const ex = pkg?.json.exports;
  if (!ex || typeof ex !== 'object') return new Set(['.']);
  const keys = Object.keys(ex);
  return new Set(keys.length && keys[0].startsWith('.') ? keys : ['.']);
}

function lineOfKey(text, key) {
  const lines = text.split('\n');
  const idx = lines.findIndex((l) => l.includes(`"${key}"`));
  return idx < 0 ? 1 : idx + 1;
}

/**
 * Checks packages; returns { violations: [{file, line, message}], files, packages }. `pins`
 * replaces PINNED_DEEP_IMPORTS (the tests use their own).
 * @param {{ root?: string, packageDirs?: string[], pins?: { spec: string, test: string, why: string }[] }} [options]
 */
export function checkDeps({ root, packageDirs, pins = PINNED_DEEP_IMPORTS } = {}) {
  const rootDir = path.resolve(root ?? findWorkspaceRoot(packageDirs?.[0] ?? process.cwd()) ?? process.cwd());
  const all = workspaceDirs(rootDir).map((d) => loadPackage(d, rootDir));
  const byName = new Map(all.map((p) => [p.name, p]));
  const selected = packageDirs?.length
    ? packageDirs.map((d) => all.find((p) => p.dir === path.resolve(d)) ?? loadPackage(path.resolve(d), rootDir))
    : all;
  const violations = [];
  const rel = (f) => path.relative(process.cwd(), f) || '.';
  const report = (file, line, message) => violations.push({ file: rel(file), line, message });
  let files = 0;

  for (const pkg of selected) {
    const pjText = fs.readFileSync(pkg.file, 'utf8');
    if (pkg.layers.length !== 1) {
      report(pkg.file, lineOfKey(pjText, 'nx'),
        `${pkg.name} must have exactly one layer tag (nx.tags: one of ${Object.keys(LAYER_RULES).join(', ')}); found ${pkg.layers.length ? pkg.layers.join(', ') : 'none'}`);
      continue;
    }
    const layer = pkg.layers[0];
    const rule = LAYER_RULES[layer];
    if (!rule) {
      report(pkg.file, lineOfKey(pjText, layer), `${pkg.name}: unknown layer tag ${layer}`);
      continue;
    }
    if (isApp(pkg) !== pkg.inApps) {
      report(pkg.file, lineOfKey(pjText, 'nx'), pkg.inApps
        ? `${pkg.name} lives in apps/ but is tagged ${layer}; apps/ holds the hosts, tagged layer:app`
        : `${pkg.name} is tagged layer:app but lives outside apps/; hosts live in apps/`);
    }
    const testOnly = new Set(Object.keys(pkg.json.devDependencies ?? {}).filter((d) => !DEP_FIELDS.some((f) => f !== 'devDependencies' && pkg.json[f]?.[d])));
    const forbidden = FORBIDDEN_BY_LAYER[layer];
    const allowedDlm = (name) => name === pkg.name || rule.allowed === '*' || rule.allowed.includes(name);
    /** Why `name` may not be used by this package at all (not even by its tests), or undefined. */
    const never = (name) => {
      const target = byName.get(name);
      if (isApp(pkg) && target && target !== pkg && isApp(target)) return `apps never import apps (${pkg.name} and ${name} are both apps; share code through a package in packages/)`;
      if (target && target !== pkg && target.layers[0] === 'layer:test' && !testOnly.has(name)) return `${name} is a test helper (layer:test): list it in devDependencies only`;
      return undefined;
    };

    // package.json dependency declarations
    const declared = new Map(); // name -> field
    for (const field of DEP_FIELDS) {
      for (const dep of Object.keys(pkg.json[field] ?? {})) {
        if (!declared.has(dep) || field !== 'devDependencies') declared.set(dep, field);
        const no = never(dep);
        if (no) report(pkg.file, lineOfKey(pjText, dep), `${field} lists ${dep}: ${no}`);
        if (!dep.startsWith('@dlm/')) continue;
        if (!byName.has(dep)) report(pkg.file, lineOfKey(pjText, dep), `${field} lists ${dep}, which is not a workspace package`);
        // Tests may use any workspace package (e.g. a backend's tests compile .dlm text with
        // @dlm/language); src/ may not, and src imports of devDependencies are rejected below.
        else if (!allowedDlm(dep) && field !== 'devDependencies') report(pkg.file, lineOfKey(pjText, dep), `${field} lists ${dep}: ${rule.why} (${pkg.name} is ${layer})`);
      }
    }

    // source imports
    const used = new Set();
    for (const file of walk(path.join(pkg.dir, 'src'))) {
      files++;
      const text = fs.readFileSync(file, 'utf8');
      for (const line of findComputedImports(text)) {
        report(file, line, 'import() of a computed specifier: bundlers and this check cannot see what it loads; import a literal path, or mark a plugin loader with `// check-deps: computed-import <reason>`');
      }
      for (const { spec, line, typeOnly } of findImports(text)) {
        if (spec.startsWith('.') || path.isAbsolute(spec)) {
          const target = path.resolve(path.dirname(file), spec);
          const inside = path.relative(pkg.dir, target);
          if (path.isAbsolute(spec)) report(file, line, `absolute import '${spec}' is not allowed; import the package by name`);
          else if (inside.startsWith('..') || path.isAbsolute(inside)) {
            report(file, line, `relative import '${spec}' escapes package ${pkg.name}; import the other package by name (e.g. '@dlm/core')`);
          }
          continue;
        }
        if (BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0])) {
          const nodeDir = rule.nodeOnlyUnder && path.join(pkg.dir, rule.nodeOnlyUnder);
          if (nodeDir && path.relative(nodeDir, file).startsWith('..')) {
            report(file, line, `import '${spec}': the "." entry of ${pkg.name} must stay browser-safe (${layer}); Node built-ins belong under ${rule.nodeOnlyUnder}/`);
          }
          continue;
        }
        // A VS Code extension (engines.vscode) gets the 'vscode' module from the editor, not npm.
        if (spec === 'vscode' && pkg.json.engines?.vscode) continue;
        const name = packageNameOf(spec);
        const sub = spec === name ? '.' : '.' + spec.slice(name.length);
        used.add(name);
        const no = never(name);
        if (no) report(file, line, `import '${spec}': ${no}`);
        if (forbidden?.names.includes(name)) report(file, line, `import '${spec}': ${forbidden.why} (${pkg.name} is ${layer})`);
        else if (name.startsWith('@dlm/')) {
          const target = byName.get(name);
          if (!target) { report(file, line, `import '${spec}': ${name} is not a workspace package`); continue; }
          if (!allowedDlm(name)) report(file, line, `import '${spec}': ${rule.why} (${pkg.name} is ${layer})`);
          if (sub !== '.' && (/^\.\/(src|dist)(\/|$)/.test(sub) || !exportedSubpaths(target).has(sub))) {
            report(file, line, `deep import '${spec}' is not allowed; import '${name}'${exportedSubpaths(target).size > 1 ? ' or one of its declared exports' : ''}`);
          }
        }
        if (!byName.has(name) && sub !== '.' && BUILD_DIRS.test(sub.slice(2))) {
          const pin = pins.find((p) => p.spec === spec);
          const pinned = pin && pinIsReal(rootDir, pin);
          if (!pinned) {
            report(file, line, pin
              ? `deep import '${spec}' is pinned to ${pin.test}, but that test does not exist or does not name '${spec}'`
              : `deep import '${spec}' reaches into ${name}'s build output; import '${name}' (or a subpath it exports), or pin the path with a test in PINNED_DEEP_IMPORTS (tools/check-deps.mjs)`);
          }
        }
        if (name !== pkg.name) {
          const field = declared.get(name);
          if (!field) report(file, line, `import '${spec}': ${name} is not declared in ${rel(pkg.file)}`);
          else if (field === 'devDependencies' && !typeOnly) report(file, line, `import '${spec}': ${name} is only a devDependency but is imported from src; move it to dependencies`);
        }
      }
    }

    // unused dependencies: what src never imports is not a dependency (tests use devDependencies)
    for (const dep of Object.keys(pkg.json.dependencies ?? {})) {
      if (!used.has(dep)) report(pkg.file, lineOfKey(pjText, dep), `dependencies lists ${dep}, which src/ never imports; remove it (or move it to devDependencies if only tests use it)`);
    }
  }
  return { violations, files, packages: selected.length };
}

/** A pin counts only when its test exists and names the path, so deleting the test unpins it. */
function pinIsReal(rootDir, pin) {
  const file = path.join(rootDir, pin.test);
  return fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(pin.spec);
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const { violations, files, packages } = checkDeps({ root: args.root, packageDirs: args.packages });
  for (const v of violations) console.log(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length) {
    console.error(`check-deps: ${violations.length} violation(s) in ${packages} package(s), ${files} source file(s)`);
    process.exit(1);
  }
  console.log(`check-deps: OK (${packages} package(s), ${files} source file(s))`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
