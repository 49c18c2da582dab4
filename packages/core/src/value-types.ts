/**
 * The type of every value of a graph being built (node outputs, parameters, inputs), by value name.
 *
 * A value is almost always read right after it is made: a layer reads the previous layer's output,
 * an op the parameters its layer just declared. So new entries are only appended to a log, a
 * lookup first scans the last few of them, and only a lookup that misses them puts the rest of the
 * log into a map (kept from then on, and filled again at the next miss). A `dense |> relu` chain of
 * 100,000 layers then never builds a map of 300,000 entries, whose insertions (hashing each name,
 * which first flattens it, and rehashing as the table grows) cost ~0.1 s. The answers are a map's:
 * a name set twice reads as its last setting.
 */
import type { TensorType } from './ir.js';

/** How many of the newest entries a lookup scans before it falls back to the map. */
const RECENT = 8;

export class ValueTypes {
  /** Entries newer than everything in `index`, oldest first. */
  private readonly names: string[] = [];
  private readonly types: TensorType[] = [];
  private index: Map<string, TensorType> | undefined;

  set(name: string, type: TensorType): void {
    this.names.push(name);
    this.types.push(type);
  }

  get(name: string): TensorType | undefined {
    const names = this.names;
    const n = names.length;
    for (let i = n - 1; i >= 0 && i >= n - RECENT; i--) if (names[i] === name) return this.types[i];
    if (n > 0) {
      const index = (this.index ??= new Map());
      // In log order, so a name set twice keeps its last type.
      for (let i = 0; i < n; i++) index.set(names[i]!, this.types[i]!);
      names.length = 0;
      this.types.length = 0;
    }
    return this.index?.get(name);
  }
}
