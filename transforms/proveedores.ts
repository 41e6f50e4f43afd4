import { constant, coordinate, enumeration, firstPresent, freeText, normalizeShortText, checkLength, phone, shortText } from '../lib/rules/index.js';
import type { FastRule } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { ESTADO_PROVEEDOR, checkEnum, checkIn } from './enumerations.js';

const email: FastRule = (value) => {
  const text = normalizeShortText(value);
  return text === null ? null : checkLength('email', text.toLowerCase(), 255);
};

const pais: FastRule = (value) => {
  const text = normalizeShortText(value, true);
  return text === null ? 'ECUADOR' : checkLength('pais', text.toUpperCase(), 100);
};

/** Provider users, whatever case or language user_type was written in. */
const PROVIDER_WHERE = "lower(trim(u.user_type)) IN ('provider', 'proveedor')";

/** proveedores ← users where user_type is provider: one row per phone, the newest kept. */
export const proveedores: TableSpec = {
  target: 'proveedores',
  source: {
    table: 'users',
    alias: 'u',
    columns: ['id', 'phone_number', 'name', 'email', 'user_type', 'business_name', 'business_description', 'address', 'city', 'country', 'latitude', 'longitude', 'status', 'created_at', 'updated_at'],
    where: PROVIDER_WHERE,
    orderBy: 'u.updated_at DESC NULLS LAST, u.created_at DESC NULLS LAST, u.id ASC',
    idColumn: 'id',
  },
  columns: [
    { name: 'id', type: 'UUID', from: 'id' },
    { name: 'telefono', type: 'VARCHAR(20) NOT NULL', from: 'phone_number', rule: phone(), memo: true },
    { name: 'nombre', type: 'VARCHAR(255) NOT NULL', from: 'name', rule: firstPresent('nombre', ['business_name'], { column: 'nombre', max: 255, collapse: true, required: 'nombre_faltante' }) },
    { name: 'email', type: 'VARCHAR(255)', from: 'email', rule: email },
    { name: 'nombre_empresa', type: 'VARCHAR(255)', from: 'business_name', rule: shortText({ column: 'nombre_empresa', max: 255, collapse: true }) },
    { name: 'descripcion_empresa', type: 'TEXT', from: 'business_description', rule: freeText() },
    { name: 'direccion', type: 'TEXT', from: 'address', rule: shortText({ column: 'direccion' }) },
    { name: 'ciudad', type: 'VARCHAR(100)', from: 'city', rule: shortText({ column: 'ciudad', max: 100, collapse: true }) },
    { name: 'pais', type: "VARCHAR(100) DEFAULT 'ECUADOR'", from: 'country', rule: pais },
    { name: 'latitud', type: 'DECIMAL(10, 8)', from: 'latitude', rule: coordinate('latitude', 'latitude', 'longitude') },
    { name: 'longitud', type: 'DECIMAL(11, 8)', from: 'longitude', rule: coordinate('longitude', 'latitude', 'longitude') },
    {
      name: 'estado',
      // VARCHAR(30): the guide's VARCHAR(20) cannot hold verificacion_pendiente.
      type: `VARCHAR(30) DEFAULT 'activo' ${checkEnum('estado', ESTADO_PROVEEDOR)}`,
      from: 'status',
      rule: enumeration('estado', ESTADO_PROVEEDOR, 'activo'),
      memo: true,
    },
    { name: 'nivel_verificacion', type: `VARCHAR(20) DEFAULT 'basico' ${checkIn('nivel_verificacion', ['basico', 'verificado', 'premium', 'institucional'])}`, rule: constant('basico') },
    { name: 'rating', type: 'DECIMAL(3, 2) DEFAULT 5.0 CHECK (rating >= 0 AND rating <= 5)', rule: constant('5.0') },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'created_at' },
    { name: 'actualizado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'updated_at' },
  ],
  primaryKey: ['id'],
  unique: [['telefono']],
  keptIdColumn: 'id',
  indexes: {
    idx_proveedores_telefono: ['telefono'],
    idx_proveedores_ciudad: ['ciudad'],
    idx_proveedores_estado: ['estado'],
    idx_proveedores_rating: ['rating'],
    idx_proveedores_nivel_verificacion: ['nivel_verificacion'],
    idx_proveedores_creado_at: ['creado_at'],
  },
};
