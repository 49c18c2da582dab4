/**
 * Where a Chromium (or Chrome) is on this machine: `$DLM_CHROMIUM` when set, else the first of
 * the usual names on PATH, else the usual install locations on macOS and Windows. SVG/PNG
 * rendering, the demo and the tests that need a browser all ask here, so they agree.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Names tried on PATH, in order (Debian/Ubuntu, Fedora/Arch, Google's packages). */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'] as const;

export interface ChromiumSearch {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Whether a path is a runnable file (injectable for tests). */
  isExecutable?: (path: string) => boolean;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The install locations outside PATH, for this platform. */
export function chromiumLocations(platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  if (platform === 'darwin') {
    const apps = ['/Applications', ...(env['HOME'] ? [join(env['HOME'], 'Applications')] : [])];
    return apps.flatMap((dir) => [
      `${dir}/Chromium.app/Contents/MacOS/Chromium`,
      `${dir}/Google Chrome.app/Contents/MacOS/Google Chrome`,
      `${dir}/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing`,
    ]);
  }
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter((r): r is string => Boolean(r));
    return roots.flatMap((r) => [`${r}\\Google\\Chrome\\Application\\chrome.exe`, `${r}\\Chromium\\Application\\chrome.exe`]);
  }
  // Linux packages put the browser on PATH; snap's bin folder is often missing from it.
  return ['/snap/bin/chromium'];
}

/**
 * The browser to use, or undefined when none is found. An explicit `$DLM_CHROMIUM` is returned
 * as it is (even when it does not exist), so the launch error names the path the user chose.
 */
export function findChromium(opts: ChromiumSearch = {}): string | undefined {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const ok = opts.isExecutable ?? isExecutableFile;
  const override = env['DLM_CHROMIUM'];
  if (override) return override;
  const sep = platform === 'win32' ? ';' : delimiter;
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(sep).filter(Boolean);
  const exts = platform === 'win32' ? ['.exe', ''] : [''];
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      for (const ext of exts) {
        const candidate = platform === 'win32' ? `${dir}\\${name}${ext}` : join(dir, name + ext);
        if (ok(candidate)) return candidate;
      }
    }
  }
  return chromiumLocations(platform, env).find(ok);
}
