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
 *
 * What `read` answers is the memory itself, not a copy (a batch of 8,600 new messages
 * made ~10 map operations per row): it holds every key read until `trim`, which the
 * apply calls between batches only.
 */
export class KeptValues {
  /** By source table: the value of each key, null for a key without one. */
  private readonly known = new Map<string, Map<string, string | null>>();
  private size = 0;

  constructor(private readonly limit = KEPT_VALUES_LIMIT) {}

  /**
   * The values of `keys` (repeats allowed), read from the target where not yet known: a
   * key without one answers null. The answer also holds other keys, and holds these until
   * the next `trim`.
   */
  async read(target: pg.ClientBase, table: string, keys: Iterable<string>): Promise<ReadonlyMap<string, string | null>> {
    const known = this.of(table);
    const missing: string[] = [];
    for (const key of keys) {
      if (known.has(key)) continue;
      // Null until read: the key counts once however often it comes, and stays null if the target has no value for it.
      known.set(key, null);
      this.size++;
      missing.push(key);
    }
    if (missing.length > 0) for (const [key, value] of await storedValues(target, table, missing)) known.set(key, value);
    return known;
  }

  /** Sets the values of keys, in the target and here. */
  async store(target: pg.ClientBase, table: string, values: ReadonlyMap<string, string | null>): Promise<void> {
    await storeValues(target, table, values);
    const known = this.of(table);
    for (const [key, value] of values) {
      if (!known.has(key)) this.size++;
      known.set(key, value);
    }
  }

  /** The table's values were replaced in the target (seeded again): none of those remembered holds. */
  forget(table: string): void {
    this.size -= this.known.get(table)?.size ?? 0;
    this.known.delete(table);
  }

  /** Past the limit, the oldest half goes; between batches only, while no answer of `read` is in use. */
  trim(): void {
    if (this.size <= this.limit) return;
    for (const known of this.known.values()) {
      for (const key of known.keys()) {
        if (this.size <= this.limit / 2) return;
        known.delete(key);
        this.size--;
      }
    }
  }

  private of(table: string): Map<string, string | null> {
    let known = this.known.get(table);
    if (known === undefined) this.known.set(table, (known = new Map()));
    return known;
  }
}
