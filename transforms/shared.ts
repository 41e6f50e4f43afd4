import { reject } from '../lib/errors.js';
import type { IdSet } from '../lib/lookups.js';
import type { FastRule } from '../lib/spec.js';

/** A reference that must point at a proveedor this migration wrote. */
export function migratedProveedor(proveedores: IdSet): FastRule {
  return (value) => {
    if (!proveedores.has(value)) reject('proveedor_inexistente', `proveedor_id ${value ?? 'NULL'} no está entre los proveedores migrados`);
    return value;
  };
}
