import { CopiarError } from '../errors.js';
import { uuidText } from '../pg/copy-binary-in.js';

/** Int32 words per slot: four of key, the entry, the value's start and end, one spare so a slot fills half a cache line. */
const SLOT = 8;

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A prepared join's values by uuid key, looked up from the 16 bytes a COPY binary field
 * carries: the rows' join done in the process instead of by the source's hash join,
 * which cost the source about a microsecond a row (docs/performance-log.md). Flat
 * arrays, no object per key: about 90 bytes a key at half load, 5 MB at 50,000 users.
 */
export class UuidKeyedValues {
  /**
   * Open addressing, one 32-byte slot per key, so that a probe reads one cache line:
   * the key's four words (its bytes read little-endian), entry + 1 (0: empty), and
   * where its framed value starts and ends in `framed`.
   */
  private slots = new Int32Array(SLOT * 1024);
  private mask = 1023;
  /** Each value framed as a COPY binary field: int32 length, UTF-8 bytes. */
  private framed = Buffer.allocUnsafe(64 * 1024);
  private framedUsed = 0;
  /** The slot of each entry, in the order the keys were added. */
  private slotOf = new Int32Array(512);
  count = 0;

  private static hash(a: number, b: number, c: number, d: number): number {
    // Every word mixed: time-ordered uuids (v1, v7) differ only in a few bytes.
    let h = Math.imul(a ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35) ^ Math.imul(d, 0x27d4eb2f), 0x9e3779b1);
    h ^= h >>> 15;
    return h;
  }

  /** Adds a key (uuid text) and its value. Keys come from a primary key: one given twice is an error, not a choice. */
  add(key: string, value: string): void {
    if (!UUID_TEXT.test(key)) throw new CopiarError('ERROR_INTERNO', `la clave ${JSON.stringify(key)} de un join preparado no es un uuid`);
    const bytes = Buffer.from(key.replace(/-/g, ''), 'hex');
    const a = bytes.readInt32LE(0), b = bytes.readInt32LE(4), c = bytes.readInt32LE(8), d = bytes.readInt32LE(12);
    if (this.findWords(a, b, c, d) >= 0) throw new CopiarError('ERROR_INTERNO', `la clave ${key} de un join preparado aparece dos veces`);
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    const length = Buffer.byteLength(value);
    const start = this.framedUsed;
    if (start + 4 + length > this.framed.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.framed.length, start + 4 + length));
      this.framed.copy(bigger, 0, 0, start);
      this.framed = bigger;
    }
    this.framed.writeInt32BE(length, start);
    this.framed.write(value, start + 4, 'utf8');
    this.framedUsed = start + 4 + length;
    const e = this.count++;
    if (this.count > this.slotOf.length) {
      const bigger = new Int32Array(2 * this.slotOf.length);
      bigger.set(this.slotOf);
      this.slotOf = bigger;
    }
    this.place(this.slots, this.mask, [a, b, c, d, e + 1, start, this.framedUsed]);
  }

  /** The slot (its first word) of the uuid in buf[start, start + 16), or -1. */
  find(buf: Buffer, start: number): number {
    // The words read byte by byte: the caller has checked the row holds them, and
    // readInt32LE's own checks cost more than the lookup's arithmetic.
    const a = buf[start]! | (buf[start + 1]! << 8) | (buf[start + 2]! << 16) | (buf[start + 3]! << 24);
    const b = buf[start + 4]! | (buf[start + 5]! << 8) | (buf[start + 6]! << 16) | (buf[start + 7]! << 24);
    const c = buf[start + 8]! | (buf[start + 9]! << 8) | (buf[start + 10]! << 16) | (buf[start + 11]! << 24);
    const d = buf[start + 12]! | (buf[start + 13]! << 8) | (buf[start + 14]! << 16) | (buf[start + 15]! << 24);
    return this.findWords(a, b, c, d);
  }

  private findWords(a: number, b: number, c: number, d: number): number {
    const slots = this.slots;
    let slot = UuidKeyedValues.hash(a, b, c, d) & this.mask;
    for (;;) {
      const s = SLOT * slot;
      if (slots[s + 4] === 0) return -1;
      if (slots[s] === a && slots[s + 1] === b && slots[s + 2] === c && slots[s + 3] === d) return s;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The buffer holding every value as a framed COPY binary field. */
  get bytes(): Buffer {
    return this.framed;
  }

  /** Where the value found at `found` starts in `bytes`, framed (its length first). */
  fieldStart(found: number): number {
    return this.slots[found + 5]!;
  }

  /** Where the value found at `found` ends in `bytes`. */
  fieldEnd(found: number): number {
    return this.slots[found + 6]!;
  }

  /** The value found at `found` (a slot from find), as text. */
  value(found: number): string {
    return this.framed.toString('utf8', this.slots[found + 5]! + 4, this.slots[found + 6]!);
  }

  /** The entry added e-th, as the slot find would give for its key. */
  entry(e: number): number {
    return this.slotOf[e]!;
  }

  /** The key found at `found`, as uuid text. */
  key(found: number): string {
    const bytes = Buffer.allocUnsafe(16);
    for (let w = 0; w < 4; w++) bytes.writeInt32LE(this.slots[found + w]!, 4 * w);
    return uuidText(bytes, 0);
  }

  private place(slots: Int32Array, mask: number, words: ArrayLike<number>): void {
    let slot = UuidKeyedValues.hash(words[0]!, words[1]!, words[2]!, words[3]!) & mask;
    while (slots[SLOT * slot + 4] !== 0) slot = (slot + 1) & mask;
    for (let w = 0; w < 7; w++) slots[SLOT * slot + w] = words[w]!;
    if (slots === this.slots) this.slotOf[words[4]! - 1] = SLOT * slot;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length);
    this.mask = 2 * (this.mask + 1) - 1;
    for (let s = 0; s < old.length; s += SLOT) if (old[s + 4] !== 0) this.place(this.slots, this.mask, old.subarray(s, s + SLOT));
  }
}
