import type pg from 'pg';
import { quoteIdent } from '../pg/quote.js';
import { streamCopyRows } from '../pg/copy-text-rows.js';
import type { FastRule } from '../rules/types.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { uuidText } from '../pg/copy-binary-in.js';
import { PackedIndex, uuidBytes } from './packed-index.js';

const PHONE_WIDTH = 20; // VARCHAR(20)

function phoneKey(phone: string): Buffer | null {
  const key = Buffer.alloc(PHONE_WIDTH);
  const written = key.write(phone, 'utf8');
  return Buffer.byteLength(phone) > PHONE_WIDTH || written === 0 ? null : key;
}

/** The ids present in a target table (migrated proveedores, say). */
export class IdSet {
  constructor(private readonly index: PackedIndex) {}

  static async load(client: pg.ClientBase, table: string, column = 'id'): Promise<IdSet> {
    const index = new PackedIndex(16, 0);
    await streamCopyRows(client, `SELECT ${quoteIdent(column)} FROM ${quoteIdent(table)} ORDER BY ${quoteIdent(column)}`, ([id]) => {
      index.append(uuidBytes(id!)!);
    });
    return new IdSet(index);
  }

  has(id: string | null): boolean {
    if (id === null) return false;
    const key = uuidBytes(id);
    return key !== null && this.index.find(key) !== undefined;
  }
}

/** Migrated clientes by their E.164 telefono. */
export class PhoneIndex {
  constructor(private readonly index: PackedIndex) {}

  static async load(client: pg.ClientBase, table: string): Promise<PhoneIndex> {
    const index = new PackedIndex(PHONE_WIDTH, 16);
    await streamCopyRows(client, `SELECT telefono, id FROM ${quoteIdent(table)} ORDER BY telefono COLLATE "C"`, ([phone, id]) => {
      const key = phoneKey(phone!);
      if (key !== null) index.append(key, uuidBytes(id!)!);
    });
    return new PhoneIndex(index);
  }

  idFor(phone: string | null): string | null {
    if (phone === null) return null;
    const key = phoneKey(phone);
    const value = key === null ? undefined : this.index.find(key);
    return value === undefined ? null : uuidText(value);
  }
}

/** A small lookup read whole (profesiones by nombre). */
export async function loadMap(client: pg.ClientBase, sql: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  await streamCopyRows(client, sql, ([key, value]) => {
    map.set(key!, value!);
  });
  return map;
}

/** The table's rules that read target-side lookups, with the lookups loaded from `target`. */
export async function loadLookupRules(spec: AnyTableSpec, target: pg.ClientBase): Promise<Record<string, FastRule>> {
  const lookups = spec.targetLookups;
  return lookups === undefined ? {} : lookups.rules(await lookups.load(target));
}
