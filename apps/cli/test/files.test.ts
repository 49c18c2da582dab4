import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/files.js';

describe('writeFileAtomic', () => {
  it('replaces a file, creates missing folders and leaves nothing else behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlm-cli-files-'));
    writeFileSync(join(dir, 'a.json'), 'old');
    writeFileAtomic(join(dir, 'a.json'), '{"new":true}');
    writeFileAtomic(join(dir, 'sub/deeper/b.bin'), new Uint8Array([1, 2, 3]));
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"new":true}');
    expect([...readFileSync(join(dir, 'sub/deeper/b.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'sub']);
    expect(readdirSync(join(dir, 'sub/deeper'))).toEqual(['b.bin']);
  });

  it('a directory in the way is a CLI error naming the path, and no temporary file is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlm-cli-files-'));
    mkdirSync(join(dir, 'out.svg'));
    expect(() => writeFileAtomic(join(dir, 'out.svg'), '<svg/>')).toThrow(`cannot write '${join(dir, 'out.svg')}': it is a directory`);
    expect(readdirSync(dir)).toEqual(['out.svg']);
    expect(readdirSync(join(dir, 'out.svg'))).toEqual([]);
  });
});
