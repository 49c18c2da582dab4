/**
 * Names unique within a scope (node ids, parameter names): `base`, or `base_2`, `base_3`, … — the
 * first not taken. The next suffix to try is remembered per base, so naming n nodes after the same
 * op stays linear (a probe from 2 each time made a 100,000-layer chain quadratic).
 */
export class UniqueNames {
  /** The only name taken while there is one (most layers' scopes name one node): no set made. */
  private first: string | undefined;
  private used: Set<string> | undefined;
  /** Next numeric suffix to try per base name. */
  private next: Map<string, number> | undefined;

  /** Takes `base` or the first free `base_N`, and returns it. */
  claim(base: string): string {
    let used = this.used;
    if (used === undefined) {
      if (this.first === undefined) return (this.first = base);
      used = this.used = new Set([this.first]);
    }
    // The common case, a name not taken yet, costs one hash operation: add, and see the set grow.
    const size = used.size;
    used.add(base);
    if (used.size !== size) return base;
    const next = (this.next ??= new Map());
    let i = next.get(base) ?? 2;
    let id = `${base}_${i}`;
    while (used.has(id)) id = `${base}_${++i}`;
    next.set(base, i + 1);
    used.add(id);
    return id;
  }
}
