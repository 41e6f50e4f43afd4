import type pg from 'pg';
import { IdSet, loadMap } from '../lib/lookups/target-lookups.js';
import { booleanOr, enumeration, integerInRange, json, normalizeShortText, reject, shortText } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { ESTADO_VERIFICACION, checkEnum } from './enumerations.js';
import { migratedProveedor } from './shared.js';

interface Lookups {
  proveedores: IdSet;
  /** Migrated profesiones by nombre: a profession dropped as a duplicate resolves to the kept id. */
  profesionPorNombre: Map<string, string>;
}

/** proveedor_profesiones ← provider_professions, after proveedores and profesiones. */
export const proveedor_profesiones: TableSpec<Lookups> = {
  target: 'proveedor_profesiones',
  source: {
    table: 'provider_professions',
    alias: 'pp',
    columns: ['id', 'provider_id', 'profession_id', 'specialty', 'experience_years', 'certifications', 'is_primary', 'verification_status', 'created_at'],
    // The profession's name, so a duplicate profession maps to the id that was kept.
    joins: 'LEFT JOIN professions pr ON pr.id = pp.profession_id',
    lookups: { nombre_profesion: 'pr.name' },
    orderBy: 'pp.is_primary IS TRUE DESC, pp.id',
    idColumn: 'id',
  },
  columns: [
    { name: 'id', type: 'SERIAL', from: 'id' },
    { name: 'proveedor_id', type: 'UUID', from: 'provider_id' },
    { name: 'profesion_id', type: 'INTEGER', from: 'profession_id' },
    { name: 'especialidad', type: 'VARCHAR(255)', from: 'specialty', rule: shortText({ column: 'especialidad', max: 255 }) },
    { name: 'anos_experiencia', type: 'INTEGER DEFAULT 0 CHECK (anos_experiencia >= 0 AND anos_experiencia <= 70)', from: 'experience_years', rule: integerInRange('anos_experiencia', 0, 70, 0) },
    { name: 'certificaciones', type: "JSONB DEFAULT '[]'", from: 'certifications', rule: json('certificaciones', 'array') },
    { name: 'es_principal', type: 'BOOLEAN DEFAULT false', from: 'is_primary', rule: booleanOr(false) },
    {
      name: 'estado_verificacion',
      type: `VARCHAR(20) DEFAULT 'pendiente' ${checkEnum('estado_verificacion', ESTADO_VERIFICACION)}`,
      from: 'verification_status',
      rule: enumeration('estado_verificacion', ESTADO_VERIFICACION, 'pendiente'),
      memo: true,
    },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'created_at' },
  ],
  primaryKey: ['id'],
  unique: [['proveedor_id', 'profesion_id']],
  foreignKeys: [
    { columns: ['proveedor_id'], references: 'proveedores', referencedColumns: ['id'], onDelete: 'CASCADE' },
    { columns: ['profesion_id'], references: 'profesiones', referencedColumns: ['id'], onDelete: 'CASCADE' },
  ],
  keptIdColumn: 'id',
  serial: 'id',
  indexes: {
    idx_proveedor_profesiones_proveedor: ['proveedor_id'],
    idx_proveedor_profesiones_profesion: ['profesion_id'],
    idx_proveedor_profesiones_verificacion: ['estado_verificacion'],
  },
  targetLookups: {
    reads: ['proveedores', 'profesiones'],
    readColumns: { proveedores: ['id'], profesiones: ['id', 'nombre'] },
    readsByReference: { proveedores: 'proveedor_id' },
    async load(target: pg.ClientBase): Promise<Lookups> {
      return {
        proveedores: await IdSet.load(target, 'proveedores'),
        profesionPorNombre: await loadMap(target, 'SELECT nombre, id::text FROM profesiones'),
      };
    },
    rules: ({ proveedores, profesionPorNombre }) => ({
      proveedor_id: migratedProveedor(proveedores),
      profesion_id: (value, row) => {
        const name = normalizeShortText(row.field('nombre_profesion'), true);
        const id = name === null ? undefined : profesionPorNombre.get(name);
        if (id === undefined) reject('profesion_inexistente', `profession_id ${value ?? 'NULL'} no está entre las profesiones migradas`);
        return id;
      },
    }),
  },
};
