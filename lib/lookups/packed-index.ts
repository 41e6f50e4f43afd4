/**
 * A read-only map from fixed-width keys to fixed-width values, packed in one growing
 * Buffer and searched by bisection: 16 bytes per migrated proveedor id, 36 bytes per
 * cliente phone, instead of the hundred-odd bytes a JavaScript Map entry costs.
 */
export class PackedIndex {
  private data: Buffer;
  private count = 0;
  private readonly width: number;

  constructor(private readonly keyWidth: number, private readonly valueWidth: number) {
    this.width = keyWidth + valueWidth;
    this.data = Buffer.alloc(this.width * 1024);
  }

  /** Appends an entry; keys must arrive in ascending byte order. */
  append(key: Buffer, value?: Buffer): void {
    if (key.length !== this.keyWidth) throw new Error(`clave de ${key.length} bytes, se esperaban ${this.keyWidth}`);
    const offset = this.count * this.width;
    if (this.count > 0 && this.data.compare(key, 0, this.keyWidth, offset - this.width, offset - this.width + this.keyWidth) > 0) {
      throw new Error('las claves del índice no llegaron ordenadas');
    }
    if (offset + this.width > this.data.length) {
      const grown = Buffer.alloc(this.data.length * 2);
      this.data.copy(grown);
      this.data = grown;
    }
    key.copy(this.data, offset);
    if (value !== undefined) value.copy(this.data, offset + this.keyWidth, 0, this.valueWidth);
    this.count++;
  }

  /** The value stored for key, or undefined. */
  find(key: Buffer): Buffer | undefined {
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const offset = mid * this.width;
      const order = this.data.compare(key, 0, this.keyWidth, offset, offset + this.keyWidth);
      if (order === 0) return this.data.subarray(offset + this.keyWidth, offset + this.width);
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }
}

export function uuidBytes(uuid: string): Buffer | null {
  const hex = uuid.replace(/-/g, '');
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}
