/**
 * Which layer (or input, or failed expression) produced each value of a graph being built, for the
 * "the other shape came from …" notes. Needed only when something fails: until the first lookup,
 * each "value → producer" is only logged (a rename as the name to copy from), and the first
 * lookup replays the log into a map, kept from then on. A check without errors never builds it: a
 * map of 100,000s of entries cost a slow insertion per layer.
 */
import type { LayerRecord, SourceSpan } from './ir.js';

/** Who made a value: a layer's record (described when a note needs it) or a fixed text. */
export type Producer = LayerRecord | { path: string; span?: SourceSpan };

export class Producers {
  private index: Map<string, Producer> | undefined;
  private readonly logNames: string[] = [];
  /** A producer, or (for a copy) the name whose producer to copy. */
  private readonly logEntries: (Producer | string)[] = [];

  set(value: string, producer: Producer): void {
    if (this.index) this.index.set(value, producer);
    else {
      this.logNames.push(value);
      this.logEntries.push(producer);
    }
  }

  /** `to` gets the producer `from` has (if any) at this point. */
  copy(from: string, to: string): void {
    if (this.index) {
      const p = this.index.get(from);
      if (p) this.index.set(to, p);
    } else {
      this.logNames.push(to);
      this.logEntries.push(from);
    }
  }

  get(value: string): Producer | undefined {
    return this.built().get(value);
  }

  private built(): Map<string, Producer> {
    let index = this.index;
    if (!index) {
      index = this.index = new Map();
      for (let i = 0; i < this.logNames.length; i++) {
        const e = this.logEntries[i]!;
        if (typeof e !== 'string') index.set(this.logNames[i]!, e);
        else {
          const p = index.get(e);
          if (p) index.set(this.logNames[i]!, p);
        }
      }
      this.logNames.length = 0;
      this.logEntries.length = 0;
    }
    return index;
  }
}
