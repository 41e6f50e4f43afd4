import type pg from 'pg';
import { PhoneIndex } from '../lib/lookups/target-lookups.js';
import { constant, coordinate, derivedId, json, phone, shortText, toE164 } from '../lib/rules/index.js';
import type { FastRule } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { checkIn } from './enumerations.js';

interface Lookups {
  clientes: PhoneIndex;
}

/** solicitudes_servicio ← service_requests, after clientes. */
export const solicitudes_servicio: TableSpec<Lookups> = {
  target: 'solicitudes_servicio',
  source: {
    table: 'service_requests',
    alias: 'r',
    columns: ['id', 'phone_number', 'profession', 'location_city', 'location_lat', 'location_lng', 'suggested_providers', 'requested_at', 'resolved_at'],
    idColumn: 'id',
    rangeKey: 'id',
  },
  columns: [
    // The guide generated new ids on every run; this one is the same every time.
    { name: 'id', type: 'UUID', from: 'id', rule: (value) => derivedId('service_requests', value!) },
    { name: 'cliente_id', type: 'UUID', from: 'phone_number' },
    { name: 'telefono', type: 'VARCHAR(20) NOT NULL', from: 'phone_number', rule: phone(), memo: true },
    { name: 'tipo_solicitud', type: `VARCHAR(50) DEFAULT 'servicio' ${checkIn('tipo_solicitud', ['servicio', 'consulta', 'queja', 'sugerencia'])}`, rule: constant('servicio') },
    { name: 'profesion_solicitada', type: 'VARCHAR(100)', from: 'profession', rule: shortText({ column: 'profesion_solicitada', max: 100 }) },
    { name: 'ciudad', type: 'VARCHAR(100)', from: 'location_city', rule: shortText({ column: 'ciudad', max: 100, collapse: true }) },
    { name: 'latitud', type: 'DECIMAL(10, 8)', from: 'location_lat', rule: coordinate('latitude', 'location_lat', 'location_lng') },
    { name: 'longitud', type: 'DECIMAL(11, 8)', from: 'location_lng', rule: coordinate('longitude', 'location_lat', 'location_lng') },
    { name: 'proveedores_sugeridos', type: "JSONB DEFAULT '[]'", from: 'suggested_providers', rule: json('proveedores_sugeridos', 'array') },
    {
      name: 'estado',
      type: `VARCHAR(20) DEFAULT 'pendiente' ${checkIn('estado', ['pendiente', 'en_progreso', 'resuelta', 'cancelada'])}`,
      from: 'resolved_at',
      rule: (resolvedAt) => (resolvedAt === null ? 'pendiente' : 'resuelta'),
    },
    { name: 'solicitado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'requested_at' },
    { name: 'resuelto_at', type: 'TIMESTAMP', from: 'resolved_at' },
  ],
  primaryKey: ['id'],
  foreignKeys: [{ columns: ['cliente_id'], references: 'clientes', referencedColumns: ['id'], onDelete: 'SET NULL' }],
  keptIdColumn: 'id',
  indexes: {
    idx_solicitudes_servicio_cliente: ['cliente_id'],
    idx_solicitudes_servicio_telefono: ['telefono'],
    idx_solicitudes_servicio_estado: ['estado'],
    idx_solicitudes_servicio_ciudad: ['ciudad'],
    idx_solicitudes_servicio_solicitado_at: ['solicitado_at'],
  },
  targetLookups: {
    reads: ['clientes'],
    readColumns: { clientes: ['id', 'telefono'] },
    async load(target: pg.ClientBase): Promise<Lookups> {
      return { clientes: await PhoneIndex.load(target, 'clientes') };
    },
    rules: ({ clientes }) => {
      const clienteId: FastRule = (value) => (value === null ? null : clientes.idFor(toE164(value)));
      return { cliente_id: clienteId };
    },
  },
};
