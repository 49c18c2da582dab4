// Packages the extension into a .vsix with vsce (not published). Usage: node scripts/package.mjs [out.vsix]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'dist', 'dlm.vsix'));
const vsce = createRequire(join(root, 'package.json')).resolve('@vscode/vsce/vsce');
const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-update-package-json', '--no-git-tag-version', '--skip-license', '--allow-missing-repository', '--out', out], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
