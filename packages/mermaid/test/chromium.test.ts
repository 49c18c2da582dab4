/** Finding a browser: DLM_CHROMIUM, then PATH names, then the usual macOS and Windows places. */
import { describe, expect, it } from 'vitest';
import { DiagramError, findChromium, renderSvg } from '../src/index.js';

const only = (...paths: string[]) => (p: string) => paths.includes(p);

describe('findChromium', () => {
  it('returns DLM_CHROMIUM as it is, even when it does not exist (the launch error names it)', () => {
    expect(findChromium({ env: { DLM_CHROMIUM: '/opt/my/chrome', PATH: '/usr/bin' }, platform: 'linux', isExecutable: () => false })).toBe('/opt/my/chrome');
  });

  it('searches PATH for chromium, chromium-browser and google-chrome, in that order of names', () => {
    const env = { PATH: '/a:/b' };
    expect(findChromium({ env, platform: 'linux', isExecutable: only('/b/chromium-browser', '/a/google-chrome') })).toBe('/b/chromium-browser');
    expect(findChromium({ env, platform: 'linux', isExecutable: only('/a/google-chrome') })).toBe('/a/google-chrome');
    expect(findChromium({ env, platform: 'linux', isExecutable: () => false })).toBeUndefined();
  });

  it('looks in /Applications and ~/Applications on macOS', () => {
    const env = { PATH: '/usr/bin', HOME: '/Users/me' };
    expect(findChromium({ env, platform: 'darwin', isExecutable: only('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome') })).toBe(
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    );
    expect(findChromium({ env, platform: 'darwin', isExecutable: only('/Users/me/Applications/Chromium.app/Contents/MacOS/Chromium') })).toBe(
      '/Users/me/Applications/Chromium.app/Contents/MacOS/Chromium',
    );
  });

  it('looks for chrome.exe on Path and under Program Files and LocalAppData on Windows', () => {
    const env = { Path: 'C:\\bin;D:\\tools', PROGRAMFILES: 'C:\\Program Files', LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' };
    expect(findChromium({ env, platform: 'win32', isExecutable: only('D:\\tools\\chrome.exe') })).toBe('D:\\tools\\chrome.exe');
    expect(findChromium({ env, platform: 'win32', isExecutable: only('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe') })).toBe(
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    );
    expect(findChromium({ env, platform: 'win32', isExecutable: only('C:\\Users\\me\\AppData\\Local\\Chromium\\Application\\chrome.exe') })).toBe(
      'C:\\Users\\me\\AppData\\Local\\Chromium\\Application\\chrome.exe',
    );
  });
});

describe('rendering without a browser', () => {
  it('is DLM7006, saying where dlm looked and how to get one', async () => {
    const saved = { PATH: process.env['PATH'], DLM_CHROMIUM: process.env['DLM_CHROMIUM'] };
    process.env['PATH'] = '/nonexistent-dlm-test-dir';
    delete process.env['DLM_CHROMIUM'];
    try {
      if (findChromium() !== undefined) return; // a browser in a fixed place (/snap/bin) on this machine
      const err = await renderSvg('flowchart TB\n a --> b').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiagramError);
      const d = (err as DiagramError).diagnostic;
      expect(d.code).toBe('DLM7006');
      expect(d.message).toContain('looked on PATH for chromium, chromium-browser, google-chrome');
      expect(d.message).toContain('apt-get install chromium');
      expect(d.message).toContain('DLM_CHROMIUM');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
