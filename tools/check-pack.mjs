#!/usr/bin/env node
/**
 * Checks that every public workspace package is publishable as it is: `npm publish --dry-run`
 * prints no warning, the metadata is complete, the tarball holds LICENSE (identical to the root
 * one) and README.md, every export target and bin is shipped, every source map's sources are
 * shipped too, and the repository URLs agree with the root package.json's. Needs the packages built (`npm run build`). Usage: node tools/check-pack.mjs [dir…]
 * Exit 1 with one line per problem.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REQUIRED_FIELDS = ['license', 'author', 'homepage', 'repository', 'bugs', 'keywords', 'engines'];

/** Public (non-private) workspace package directories, relative to the root. */
export function publicPackages() {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of root.workspaces) {
    const base = pattern.replace(/\/\*$/, '');
    for (const name of readdirSync(join(ROOT, base))) {
      const file = join(ROOT, base, name, 'package.json');
      if (!existsSync(file)) continue;
      if (!JSON.parse(readFileSync(file, 'utf8')).private) dirs.push(`${base}/${name}`);
    }
  }
  return dirs.sort();
}

/** Every file an `exports` value points at, whatever the condition. */
function exportTargets(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) exportTargets(v, out);
  return out;
}

const norm = (p) => posix.normalize(p.replace(/^\.\//, ''));

/**
 * The repository URL has one source of truth, the root package.json (`repository.url`,
 * `homepage`, `bugs.url`); every package must agree with it: the same repository and bugs URL,
 * `repository.directory` naming its folder, the homepage `<web>/tree/main/<dir>#readme`, and
 * README links into the repository under `<web>`. (The URL is still a placeholder until the
 * maintainers publish the repository.)
 */
export function metadataProblems(pkg, dir, readme = '') {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const web = root.homepage.replace(/#readme$/, '');
  const problems = [];
  const differ = (what, got, want) => {
    if (got !== want) problems.push(`${what} is ${JSON.stringify(got)}, but the root package.json says ${JSON.stringify(want)}`);
  };
  if (pkg.repository !== undefined) {
    differ('repository.url', pkg.repository.url, root.repository.url);
    differ('repository.directory', pkg.repository.directory, dir);
  }
  if (pkg.homepage !== undefined) differ('homepage', pkg.homepage, `${web}/tree/main/${dir}#readme`);
  if (pkg.bugs !== undefined) differ('bugs.url', pkg.bugs.url, root.bugs.url);
  for (const [link] of readme.matchAll(/https?:\/\/[^\s)"'>]+\/(?:tree|blob)\/main\/[^\s)"'>]*/g)) {
    if (!link.startsWith(`${web}/`)) problems.push(`README.md links to ${link}, outside the repository ${web} of the root package.json`);
  }
  return problems;
}

export function checkPackage(dir) {
  const problems = [];
  const abs = isAbsolute(dir) ? dir : join(ROOT, dir);
  const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8'));
  const say = (msg) => problems.push(`${pkg.name} (${dir}): ${msg}`);

  for (const f of REQUIRED_FIELDS) if (pkg[f] === undefined || (Array.isArray(pkg[f]) && pkg[f].length === 0)) say(`package.json lacks "${f}"`);
  if (pkg.name.startsWith('@') && pkg.publishConfig?.access !== 'public') say('a scoped package needs publishConfig.access "public"');
  const readme = existsSync(join(abs, 'README.md')) ? readFileSync(join(abs, 'README.md'), 'utf8') : '';
  for (const m of metadataProblems(pkg, relative(ROOT, abs).split('\\').join('/'), readme)) say(m);

  // The token only silences "requires you to be logged in": a dry run never sends it.
  const r = spawnSync('npm', ['publish', '--dry-run', '--json', `--//registry.npmjs.org/:_authToken=dry-run`], { cwd: abs, encoding: 'utf8' });
  const warnings = r.stderr.split('\n').filter((l) => /^npm (warn|error|ERR)/i.test(l));
  if (r.status !== 0) say(`npm publish --dry-run exited ${r.status}: ${warnings.join(' | ') || r.stderr.slice(-400)}`);
  for (const w of warnings) say(w);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    say('npm publish --dry-run --json printed no JSON');
    return problems;
  }
  const files = new Set((report[pkg.name] ?? report).files.map((f) => f.path));

  for (const f of ['LICENSE', 'README.md']) if (!files.has(f)) say(`${f} is not in the tarball`);
  if (existsSync(join(abs, 'LICENSE')) && readFileSync(join(abs, 'LICENSE'), 'utf8') !== readFileSync(join(ROOT, 'LICENSE'), 'utf8')) {
    say('LICENSE differs from the root LICENSE');
  }
  for (const t of exportTargets(pkg.exports)) if (!files.has(norm(t))) say(`export target ${t} is not in the tarball`);
  for (const t of Object.values(typeof pkg.bin === 'string' ? { bin: pkg.bin } : pkg.bin ?? {})) if (!files.has(norm(t))) say(`bin ${t} is not in the tarball`);
  if (pkg.types && !files.has(norm(pkg.types))) say(`types ${pkg.types} is not in the tarball`);
  for (const f of files) {
    if (!f.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(abs, f), 'utf8'));
    for (const s of map.sources ?? []) {
      const target = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? '', s));
      if (!files.has(target)) {
        say(`${f} maps to ${s}, which is not in the tarball`);
        break;
      }
    }
  }
  if ([...files].some((f) => /(^|\/)test\/|\.test\.ts$/.test(f))) say('the tarball ships tests');
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => relative(ROOT, join(process.cwd(), d))) : publicPackages();
  const problems = dirs.flatMap(checkPackage);
  for (const p of problems) console.error(p);
  console.log(problems.length ? `check-pack: ${problems.length} problem(s)` : `check-pack: OK (${dirs.length} package(s): ${dirs.join(', ')})`);
  process.exitCode = problems.length ? 1 : 0;
}
