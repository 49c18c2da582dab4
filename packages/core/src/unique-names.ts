/**
 * Names unique within a scope (node ids, parameter names): `base`, or `base_2`, `base_3`, … — the
 * first not taken. The next suffix to try is remembered per base, so naming n nodes after the same
 * op stays linear (a probe from 2 each time made a 100,000-layer chain quadratic).
 */

/** How many names are kept in a plain list before they go into a set. */
const FEW = 8;

export class UniqueNames {
  /**
   * The names taken while there are at most FEW (most scopes: a layer's one to three nodes, a dense
   * layer's weight and bias): compared one by one, with no set made. A set per dense layer (for its
   * two parameter names) cost more than the rest of naming them, and hashing a name flattens it,
   * a second copy kept of every name.
   */
  private few: string[] | undefined;
  private used: Set<string> | undefined;
  /** Next numeric suffix to try per base name. */
  private next: Map<string, number> | undefined;

  /** Takes `base` or the first free `base_N`, and returns it. */
  claim(base: string): string {
    let used = this.used;
    if (used === undefined) {
      const few = this.few;
      if (few === undefined) {
        this.few = [base];
        return base;
      }
      if (!few.includes(base)) {
        if (few.length < FEW) {
          few.push(base);
          return base;
        }
      }
      used = this.used = new Set(few);
      this.few = undefined;
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
