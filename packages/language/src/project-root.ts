/**
 * The project root: imports may not leave it. The language server checks untrusted workspaces,
 * so `import "../../../../etc/passwd"` must not read (and print) files outside the project.
 *
 * The root is the folder of the nearest `dlm.config.json` or `package.json` above the main .dlm
 * file, or the main file's own folder when there is neither.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

const MARKERS = ['dlm.config.json', 'package.json'];

/** `file` and the answer are absolute, or relative to `base`. */
/** In the browser (the playground) there is no file system: no marker exists, the root is the file's folder. */
function exists(p: string): boolean {
  try {
    return fs.existsSync(p);
  } catch {
    return false;
  }
}

/** The folder relative paths are relative to: the process's current directory, or '/' without one. */
export function defaultBase(): string {
  return (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.() ?? '/';
}

export function findProjectRoot(file: string, base: string = defaultBase(), isFile: (p: string) => boolean = exists): string {
  const start = nodePath.resolve(base, nodePath.dirname(file));
  for (let dir = start; ; ) {
    if (MARKERS.some((m) => isFile(nodePath.join(dir, m)))) return dir;
    const up = nodePath.dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

/** True when `file` (absolute or relative to `base`) is inside the folder `root`. */
export function isInside(root: string, file: string, base: string): boolean {
  const rel = nodePath.relative(nodePath.resolve(base, root), nodePath.resolve(base, file));
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}
