/**
 * Browser stand-ins for the Node builtins that shared dlm modules import at top level (file
 * output, the Node WebGPU/WASM setup). The playground never calls those code
 * paths; the stand-ins exist so the modules load. `path` is a real POSIX implementation because
 * the compiler normalizes file names with it.
 */
const STUB_NAMES: Record<string, string[]> = {
  fs: ['readFileSync', 'writeFileSync', 'existsSync', 'mkdirSync', 'readdirSync', 'statSync', 'rmSync', 'openSync', 'closeSync', 'fsyncSync', 'renameSync', 'unlinkSync', 'writeSync', 'createReadStream', 'createWriteStream', 'copyFileSync', 'mkdtempSync', 'lstatSync', 'realpathSync', 'accessSync', 'readSync', 'constants'],
  crypto: ['createHash', 'randomBytes', 'randomUUID'],
  os: ['homedir', 'tmpdir', 'availableParallelism', 'cpus', 'platform'],
  zlib: ['gunzipSync', 'gzipSync', 'deflateSync', 'inflateSync', 'createGunzip', 'createGzip'],
  worker_threads: ['Worker'],
};

const PATH_SHIM = `
const norm = (p, abs) => {
  const out = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') { if (out.length && out[out.length - 1] !== '..') out.pop(); else if (!abs) out.push('..'); }
    else out.push(s);
  }
  return out.join('/');
};
export const sep = '/';
export const delimiter = ':';
export function isAbsolute(p) { return p.startsWith('/'); }
export function normalize(p) { if (p === '') return '.'; const abs = isAbsolute(p); const n = norm(p, abs); return (abs ? '/' : '') + (n || (abs ? '' : '.')) + (p.endsWith('/') && n ? '/' : ''); }
export function join(...parts) { const j = parts.filter((x) => x !== '').join('/'); return j ? normalize(j) : '.'; }
export function resolve(...parts) { let r = ''; for (let i = parts.length - 1; i >= 0 && !isAbsolute(r); i--) r = parts[i] + (r ? '/' + r : ''); if (!isAbsolute(r)) r = '/' + r; return '/' + norm(r, true); }
export function dirname(p) { const i = p.replace(/\\/+$/, '').lastIndexOf('/'); return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i); }
export function basename(p, ext) { const b = p.replace(/\\/+$/, '').split('/').pop() ?? ''; return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b; }
export function extname(p) { const b = basename(p); const i = b.lastIndexOf('.'); return i <= 0 ? '' : b.slice(i); }
export function relative(from, to) { const a = resolve(from).split('/').filter(Boolean); const b = resolve(to).split('/').filter(Boolean); let i = 0; while (i < a.length && a[i] === b[i]) i++; return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/'); }
export const posix = { sep, delimiter, isAbsolute, normalize, join, resolve, dirname, basename, extname, relative };
export default posix;
`;

function stubModule(name: string): string {
  const fail = `(...args) => { throw new Error('node:${name} is not available in the browser'); }`;
  const names = STUB_NAMES[name] ?? [];
  const lines = names.map((n) => `export const ${n} = ${fail};`);
  if (name === 'fs') lines.push(`export const promises = new Proxy({}, { get: () => ${fail} });`);
  if (name === 'module') {
    // createRequire runs at module top level in @dlm/tfjs; the require it returns must only fail when used.
    lines.push(`export function createRequire() { const r = ${fail}; r.resolve = ${fail}; return r; }`);
    lines.push(`export const register = undefined;`);
    lines.push(`export const builtinModules = [];`);
  }
  const all = [...names, ...(name === 'fs' ? ['promises'] : []), ...(name === 'module' ? ['createRequire', 'register', 'builtinModules'] : [])];
  lines.push(`export default { ${all.join(', ')} };`);
  return lines.join('\n');
}

// What the page's modules still import at top level: @dlm/language (fs, path), @dlm/onnx and
// @dlm/mermaid (fs, module), @dlm/tfjs (fs, path, module, os, crypto, zlib, worker_threads; its
// trainer, checkpoints and reports are moving to @dlm/train). Dataset I/O (http, https, url, …) left
// with @dlm/datasets/node, which the page does not import.
const BUILTINS = new Set(['fs', 'path', 'crypto', 'os', 'zlib', 'module', 'worker_threads']);
const PREFIX = '\0dlm-node-shim:';

/** Vite plugin: resolves `node:x` / `x` builtins to the stand-ins above. */
export function nodeShims() {
  return {
    name: 'dlm-node-shims',
    enforce: 'pre' as const,
    resolveId(id: string) {
      // Node-only packages the page never reaches: behind dynamic imports (diagram PNG rendering
      // in headless Chromium, Dawn for Node's WebGPU), or @dlm/onnx's file output
      // (write-file-atomic reads `process` when it loads).
      if (id === 'playwright-core' || id === 'webgpu' || id === 'write-file-atomic') return PREFIX + 'pkg-' + id;
      const bare = id.startsWith('node:') ? id.slice(5) : id;
      const base = bare.split('/')[0]!;
      if (BUILTINS.has(base) && (id.startsWith('node:') || bare === base || base === 'fs')) return PREFIX + (bare === 'fs/promises' ? 'fs' : base);
      return undefined;
    },
    load(id: string) {
      if (!id.startsWith(PREFIX)) return undefined;
      const name = id.slice(PREFIX.length);
      if (name.startsWith('pkg-')) return `const fail = () => { throw new Error('${name.slice(4)} is not available in the browser'); };\nexport const chromium = { launch: fail };\nexport const create = fail;\nexport const globals = {};\nexport const sync = fail;\nexport default Object.assign(fail, { chromium, create, globals, sync });`;
      return name === 'path' ? PATH_SHIM : stubModule(name);
    },
  };
}
