/**
 * Names unique within one graph (node ids, parameter names): `base`, or `base_2`, `base_3`, … —
 * the first not taken. The next suffix to try is remembered per base, so naming n nodes after the
 * same op stays linear (a probe from 2 each time made a 100,000-layer chain quadratic).
 */
export class UniqueNames {
  private readonly used = new Set<string>();
  /** Next numeric suffix to try per base name. */
  private readonly next = new Map<string, number>();

  /** Takes `base` or the first free `base_N`, and returns it. */
  claim(base: string): string {
    const used = this.used;
    // The common case, a name not taken yet, costs one hash operation: add, and see the set grow.
    const size = used.size;
    used.add(base);
    if (used.size !== size) return base;
    let i = this.next.get(base) ?? 2;
    let id = `${base}_${i}`;
    while (used.has(id)) id = `${base}_${++i}`;
    this.next.set(base, i + 1);
    used.add(id);
    return id;
  }
}
