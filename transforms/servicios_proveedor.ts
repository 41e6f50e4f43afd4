import type pg from 'pg';
import { IdSet } from '../lib/lookups/target-lookups.js';
import { booleanOr, decimal, enumeration, freeText, json, shortText } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { TIPO_PRECIO, checkEnum } from './enumerations.js';
import { migratedProveedor } from './shared.js';

interface Lookups {
  proveedores: IdSet;
}

/** servicios_proveedor ← provider_services, after proveedores. */
export const servicios_proveedor: TableSpec<Lookups> = {
  target: 'servicios_proveedor',
  source: {
    table: 'provider_services',
    alias: 's',
    columns: ['id', 'provider_id', 'title', 'description', 'category', 'price', 'price_type', 'availability', 'is_active', 'created_at', 'updated_at'],
    idColumn: 'id',
    rangeKey: 'id',
  },
  columns: [
    { name: 'id', type: 'UUID', from: 'id' },
    { name: 'proveedor_id', type: 'UUID', from: 'provider_id' },
    { name: 'titulo', type: 'VARCHAR(255) NOT NULL', from: 'title', rule: shortText({ column: 'titulo', max: 255, required: 'titulo_faltante' }) },
    { name: 'descripcion', type: 'TEXT', from: 'description', rule: freeText() },
    { name: 'categoria', type: 'VARCHAR(100)', from: 'category', rule: shortText({ column: 'categoria', max: 100 }) },
    { name: 'precio', type: 'DECIMAL(10, 2)', from: 'price', rule: decimal('precio', 10, 2) },
    { name: 'tipo_precio', type: `VARCHAR(20) DEFAULT 'fijo' ${checkEnum('tipo_precio', TIPO_PRECIO)}`, from: 'price_type', rule: enumeration('tipo_precio', TIPO_PRECIO, 'fijo'), memo: true },
    { name: 'disponibilidad', type: "JSONB DEFAULT '{}'", from: 'availability', rule: json('disponibilidad', 'object') },
    { name: 'esta_activo', type: 'BOOLEAN DEFAULT true', from: 'is_active', rule: booleanOr(true) },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'created_at' },
    { name: 'actualizado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'updated_at' },
  ],
  primaryKey: ['id'],
  foreignKeys: [{ columns: ['proveedor_id'], references: 'proveedores', referencedColumns: ['id'], onDelete: 'CASCADE' }],
  keptIdColumn: 'id',
  indexes: {
    idx_servicios_proveedor_proveedor: ['proveedor_id'],
    idx_servicios_proveedor_categoria: ['categoria'],
    idx_servicios_proveedor_activo: ['esta_activo'],
  },
  targetLookups: {
    reads: ['proveedores'],
    readColumns: { proveedores: ['id'] },
    readsByReference: { proveedores: 'proveedor_id' },
    async load(target: pg.ClientBase): Promise<Lookups> {
      return { proveedores: await IdSet.load(target, 'proveedores') };
    },
    rules: ({ proveedores }) => ({ proveedor_id: migratedProveedor(proveedores) }),
  },
};
