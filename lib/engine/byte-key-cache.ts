/**
 * A cache keyed by raw bytes, without making a string per lookup: FNV-1a over the
 * bytes, open addressing, keys kept in one arena buffer. Used to memoize rules over
 * values that repeat (phones, enumerations) on the hot path of the big tables.
 */
export class ByteKeyCache<V> {
  private slots: Int32Array; // entry index + 1, 0 = empty
  private hashes: Int32Array;
  private keyStart: Int32Array;
  private keyLength: Int32Array;
  private values: V[] = [];
  private arena: Buffer;
  private arenaUsed = 0;
  private count = 0;
  private mask: number;

  // 20k, not 200k: a phone column's entries (a Buffer, a string and an object each, ~250
  // bytes) filled 200k slots in service requests, where most phones are distinct, and the
  // phone rule keeps its own parse cache behind this one. Nine tables at 5M with two jobs:
  // peak RSS 172–203 → 130–159 MB, no slower (docs/performance-log.md).
  constructor(private readonly maxEntries = 20_000, initialSlots = 1024) {
    this.slots = new Int32Array(initialSlots);
    this.mask = initialSlots - 1;
    this.hashes = new Int32Array(initialSlots / 2);
    this.keyStart = new Int32Array(initialSlots / 2);
    this.keyLength = new Int32Array(initialSlots / 2);
    this.arena = Buffer.allocUnsafe(64 * 1024);
  }

  private static hash(buf: Buffer, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return h | 0;
  }

  private sameKey(entry: number, buf: Buffer, start: number, end: number): boolean {
    const length = end - start;
    if (this.keyLength[entry] !== length) return false;
    const arena = this.arena;
    let k = this.keyStart[entry]!;
    for (let i = start; i < end; i++, k++) if (arena[k] !== buf[i]) return false;
    return true;
  }

  get(buf: Buffer, start: number, end: number): V | undefined {
    const h = ByteKeyCache.hash(buf, start, end);
    let slot = h & this.mask;
    for (;;) {
      const entry = this.slots[slot]! - 1;
      if (entry < 0) return undefined;
      if (this.hashes[entry] === h && this.sameKey(entry, buf, start, end)) return this.values[entry];
      slot = (slot + 1) & this.mask;
    }
  }

  set(buf: Buffer, start: number, end: number, value: V): void {
    if (this.count >= this.maxEntries) this.clear();
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaUsed + length));
      this.arena.copy(bigger, 0, 0, this.arenaUsed);
      this.arena = bigger;
    }
    const entry = this.count++;
    buf.copy(this.arena, this.arenaUsed, start, end);
    this.keyStart[entry] = this.arenaUsed;
    this.keyLength[entry] = length;
    this.arenaUsed += length;
    const h = ByteKeyCache.hash(buf, start, end);
    this.hashes[entry] = h;
    this.values[entry] = value;
    this.insertSlot(entry, h);
  }

  private insertSlot(entry: number, h: number): void {
    let slot = h & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry + 1;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    const resize = (a: Int32Array): Int32Array => {
      const b = new Int32Array(size / 2);
      b.set(a);
      return b;
    };
    this.hashes = resize(this.hashes);
    this.keyStart = resize(this.keyStart);
    this.keyLength = resize(this.keyLength);
    for (let e = 0; e < this.count; e++) this.insertSlot(e, this.hashes[e]!);
  }

  clear(): void {
    this.slots.fill(0);
    this.values = [];
    this.count = 0;
    this.arenaUsed = 0;
  }
}
