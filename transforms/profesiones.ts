import { booleanOr, shortText } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';

/** profesiones ← professions: source ids kept; a repeated name keeps the smallest id. */
export const profesiones: TableSpec = {
  target: 'profesiones',
  source: {
    table: 'professions',
    alias: 'p',
    columns: ['id', 'name', 'specialty', 'category', 'is_active', 'created_at', 'updated_at'],
    orderBy: 'p.id',
    idColumn: 'id',
  },
  columns: [
    { name: 'id', type: 'SERIAL', from: 'id' },
    { name: 'nombre', type: 'VARCHAR(100) NOT NULL', from: 'name', rule: shortText({ column: 'nombre', max: 100, collapse: true, required: 'nombre_faltante' }) },
    { name: 'especialidad', type: 'VARCHAR(255)', from: 'specialty', rule: shortText({ column: 'especialidad', max: 255 }) },
    { name: 'categoria', type: 'VARCHAR(100)', from: 'category', rule: shortText({ column: 'categoria', max: 100 }) },
    { name: 'esta_activo', type: 'BOOLEAN DEFAULT true', from: 'is_active', rule: booleanOr(true) },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'created_at' },
    { name: 'actualizado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'updated_at' },
  ],
  primaryKey: ['id'],
  unique: [['nombre']],
  keptIdColumn: 'id',
  serial: 'id',
  indexes: {
    idx_profesiones_nombre: ['nombre'],
    idx_profesiones_categoria: ['categoria'],
    idx_profesiones_activa: ['esta_activo'],
  },
};
