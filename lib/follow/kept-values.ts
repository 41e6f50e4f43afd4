import type pg from 'pg';
import { storedValues, storeValues } from '../state/follow-state.js';

/**
 * Values remembered at most: ~120 bytes each (a uuid key, an E.164 phone, the map's
 * entry), so ~2.4 MB; 50,000 took the follower's peak to 147 MB of its 150. Past it the
 * oldest half goes; a key asked for again is read again.
 */
const KEPT_VALUES_LIMIT = 20_000;

/**
 * The prepared joins' values that the follow keeps in the target (seguimiento_valores:
 * a user's phone, normalized), read through a memory of those seen last. Every batch of
 * new messages asked the target for the phones of a few thousand users, mostly the same
 * active ones (4 of ~50 statements a batch, a tenth of the target's time). Only the
 * apply writes those values, through `store` and `forget`, in its transaction; a failed
 * apply ends the follow and this memory with it, so it never outlives a rollback.
 */
export class KeptValues {
  /** By source table: the value of each key, null for a key without one. */
  private readonly known = new Map<string, Map<string, string | null>>();
  private size = 0;

  constructor(private readonly limit = KEPT_VALUES_LIMIT) {}

  /** The values of `keys` (a key without one is absent or null). */
  async read(target: pg.ClientBase, table: string, keys: Iterable<string>): Promise<Map<string, string | null>> {
    const known = this.of(table);
    const values = new Map<string, string | null>();
    const missing: string[] = [];
    for (const key of keys) {
      const value = known.get(key);
      if (value === undefined) missing.push(key);
      else values.set(key, value);
    }
    if (missing.length === 0) return values;
    const read = await storedValues(target, table, missing);
    for (const key of missing) {
      const value = read.get(key) ?? null;
      values.set(key, value);
      this.remember(known, key, value);
    }
    this.trim();
    return values;
  }

  /** Sets the values of keys, in the target and here. */
  async store(target: pg.ClientBase, table: string, values: ReadonlyMap<string, string | null>): Promise<void> {
    await storeValues(target, table, values);
    const known = this.of(table);
    for (const [key, value] of values) this.remember(known, key, value);
    this.trim();
  }

  /** The table's values were replaced in the target (seeded again): none of those remembered holds. */
  forget(table: string): void {
    this.size -= this.known.get(table)?.size ?? 0;
    this.known.delete(table);
  }

  private of(table: string): Map<string, string | null> {
    let known = this.known.get(table);
    if (known === undefined) this.known.set(table, (known = new Map()));
    return known;
  }

  private remember(known: Map<string, string | null>, key: string, value: string | null): void {
    if (!known.has(key)) this.size++;
    known.set(key, value);
  }

  private trim(): void {
    if (this.size <= this.limit) return;
    for (const known of this.known.values()) {
      for (const key of known.keys()) {
        if (this.size <= this.limit / 2) return;
        known.delete(key);
        this.size--;
      }
    }
  }
}
