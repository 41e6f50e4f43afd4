import { checkLength, constant, derivedId, json, normalizeShortText, phone, reject, shortText } from '../lib/rules/index.js';
import type { FastRule } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { checkIn } from './enumerations.js';

const telefono = phone();

/** A NULL source id becomes the UUID v5 of `customers:<normalized phone>`. */
const idOrDerived: FastRule = (value, row) => {
  if (value !== null) return value;
  const e164 = telefono(row.field('phone_number'), row);
  if (e164 === null) reject('telefono_faltante', 'telefono vacío');
  return derivedId('customers', e164);
};

const nombreCompleto: FastRule = (value, row) => {
  const name = normalizeShortText(value, true);
  if (name === null) {
    row.adjust();
    return '';
  }
  return checkLength('nombre_completo', name, 255);
};

/** clientes ← customers: one row per phone, the newest kept. */
export const clientes: TableSpec = {
  target: 'clientes',
  source: {
    table: 'customers',
    alias: 'c',
    columns: ['id', 'phone_number', 'full_name', 'city', 'city_confirmed_at', 'notes', 'created_at', 'updated_at'],
    orderBy: 'c.updated_at DESC NULLS LAST, c.created_at DESC NULLS LAST, c.id ASC NULLS LAST',
    idColumn: 'id',
  },
  columns: [
    { name: 'id', type: 'UUID', from: 'id', rule: idOrDerived },
    { name: 'telefono', type: 'VARCHAR(20) NOT NULL', from: 'phone_number', rule: telefono, memo: true },
    { name: 'nombre_completo', type: 'VARCHAR(255) NOT NULL', from: 'full_name', rule: nombreCompleto },
    { name: 'ciudad', type: 'VARCHAR(100)', from: 'city', rule: shortText({ column: 'ciudad', max: 100, collapse: true }) },
    { name: 'ciudad_confirmada_at', type: 'TIMESTAMP', from: 'city_confirmed_at' },
    { name: 'notas', type: "JSONB DEFAULT '{}'", from: 'notes', rule: json('notas', 'object') },
    { name: 'estado', type: `VARCHAR(20) DEFAULT 'activo' ${checkIn('estado', ['activo', 'inactivo', 'suspendido'])}`, rule: constant('activo') },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'created_at' },
    { name: 'actualizado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'updated_at' },
  ],
  primaryKey: ['id'],
  // The source has no key on id: an old import may repeat one.
  unique: [['telefono'], ['id']],
  keptIdColumn: 'id',
  indexes: {
    idx_clientes_telefono: ['telefono'],
    idx_clientes_ciudad: ['ciudad'],
    idx_clientes_estado: ['estado'],
    idx_clientes_creado_at: ['creado_at'],
  },
};
