import { describe, expect, it } from 'vitest';
import { UniqueNames } from '../src/unique-names.js';

/** The rule, written plainly: `base` if free, else the first free `base_N` counting from the last N given for it. */
class Reference {
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();
  claim(base: string): string {
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    let i = this.next.get(base) ?? 2;
    while (this.used.has(`${base}_${i}`)) i++;
    this.next.set(base, i + 1);
    this.used.add(`${base}_${i}`);
    return `${base}_${i}`;
  }
}

describe('UniqueNames', () => {
  it('names like the plain rule, for few names (a list) and many (a set), colliding suffixes included', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let run = 0; run < 300; run++) {
      const u = new UniqueNames();
      const r = new Reference();
      const count = 1 + rand(run < 200 ? 10 : 60);
      for (let i = 0; i < count; i++) {
        // Bases that collide with each other's suffixed names: `a`, `a_2`, `a_2_2`…
        const base = ['a', 'b', 'a_2', 'a_3', 'b_2', 'a_2_2'][rand(6)]!;
        expect(u.claim(base)).toBe(r.claim(base));
      }
    }
  });

  it('gives the second claim of a name its _2, also past the list', () => {
    const u = new UniqueNames();
    expect(u.claim('w')).toBe('w');
    expect(u.claim('w')).toBe('w_2');
    for (let i = 0; i < 10; i++) u.claim(`x${i}`);
    expect(u.claim('w')).toBe('w_3');
    expect(u.claim('x9')).toBe('x9_2');
  });
});
