import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import { quoteIdent } from './select.js';
import type { AnyTableSpec, FastRule } from './spec.js';

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

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.data.length;
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

export function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const PHONE_WIDTH = 20; // VARCHAR(20)

function phoneKey(phone: string): Buffer | null {
  const key = Buffer.alloc(PHONE_WIDTH);
  const written = key.write(phone, 'utf8');
  return Buffer.byteLength(phone) > PHONE_WIDTH || written === 0 ? null : key;
}

/**
 * Streams a query's rows (pg-query-stream, in batches) without holding them all.
 * If the connection dies mid-stream, pg-cursor may never call back (node-postgres issues
 * #2468 and #2642: a terminated connection leaves read() and close() pending forever),
 * and destroying the stream waits on close(). So the client's own 'end' and 'error'
 * events decide: the wait is abandoned with that error and the dead stream left alone.
 */
export async function streamRows<T>(client: pg.ClientBase, sql: string, onRow: (row: T) => void | Promise<void>): Promise<void> {
  const stream = client.query(new QueryStream(sql, [], { batchSize: 10_000, rowMode: 'array' }));
  let onLost: (error: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => {
    onLost = (error?: Error) => reject(error instanceof Error ? error : new Error('Connection terminated unexpectedly'));
  });
  client.once('end', onLost);
  client.once('error', onLost);
  const consume = (async () => {
    for await (const row of stream) await onRow(row as T);
  })();
  // Whichever loses the race must not surface later as an unhandled rejection.
  consume.catch(() => undefined);
  lost.catch(() => undefined);
  try {
    await Promise.race([consume, lost]);
  } finally {
    client.off('end', onLost);
    client.off('error', onLost);
  }
}

/** The ids present in a target table (migrated proveedores, say). */
export class IdSet {
  constructor(private readonly index: PackedIndex) {}

  static async load(client: pg.ClientBase, table: string, column = 'id'): Promise<IdSet> {
    const index = new PackedIndex(16, 0);
    await streamRows<[string]>(client, `SELECT ${quoteIdent(column)}::text FROM ${quoteIdent(table)} ORDER BY ${quoteIdent(column)}`, ([id]) => {
      index.append(uuidBytes(id)!);
    });
    return new IdSet(index);
  }

  has(id: string | null): boolean {
    if (id === null) return false;
    const key = uuidBytes(id);
    return key !== null && this.index.find(key) !== undefined;
  }

  get size(): number {
    return this.index.size;
  }

  get bytes(): number {
    return this.index.bytes;
  }
}

/** Migrated clientes by their E.164 telefono. */
export class PhoneIndex {
  constructor(private readonly index: PackedIndex) {}

  static async load(client: pg.ClientBase, table: string): Promise<PhoneIndex> {
    const index = new PackedIndex(PHONE_WIDTH, 16);
    await streamRows<[string, string]>(client, `SELECT telefono, id::text FROM ${quoteIdent(table)} ORDER BY telefono COLLATE "C"`, ([phone, id]) => {
      const key = phoneKey(phone);
      if (key !== null) index.append(key, uuidBytes(id)!);
    });
    return new PhoneIndex(index);
  }

  idFor(phone: string | null): string | null {
    if (phone === null) return null;
    const key = phoneKey(phone);
    const value = key === null ? undefined : this.index.find(key);
    return value === undefined ? null : uuidText(value);
  }

  get size(): number {
    return this.index.size;
  }

  get bytes(): number {
    return this.index.bytes;
  }
}

/** A small lookup read whole (profesiones by nombre). */
export async function loadMap(client: pg.ClientBase, sql: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  await streamRows<[string, string]>(client, sql, ([key, value]) => {
    map.set(key, value);
  });
  return map;
}

/** The table's rules that read target-side lookups, with the lookups loaded from `target`. */
export async function loadLookupRules(spec: AnyTableSpec, target: pg.ClientBase): Promise<Record<string, FastRule>> {
  const lookups = spec.loadLookups ? await spec.loadLookups(target) : undefined;
  return spec.lookupRules ? spec.lookupRules(lookups) : {};
}
