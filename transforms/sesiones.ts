import { checkLength, enumeration, freeText, json, reject } from '../lib/rules/index.js';
import type { FastRule } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { ESTADO_SESION, checkEnum } from './enumerations.js';
import { joinedUserPhone, userPhoneJoin } from './shared.js';

const idSesion: FastRule = (value) => {
  if (value === null || value === '') reject('id_sesion_faltante', 'id_sesion vacío');
  return checkLength('id_sesion', value, 255);
};

/** sesiones ← sessions. */
export const sesiones: TableSpec = {
  target: 'sesiones',
  source: {
    table: 'sessions',
    alias: 's',
    columns: ['id', 'user_id', 'session_id', 'status', 'qr_code', 'session_data', 'expires_at', 'last_activity', 'created_at'],
    prepared: userPhoneJoin('s'),
    lookups: { telefono_usuario: 'tel.valor' },
    idColumn: 'id',
    rangeKey: 'id',
  },
  columns: [
    { name: 'id', type: 'UUID', from: 'id' },
    { name: 'telefono', type: 'VARCHAR(20) NOT NULL', from: 'telefono_usuario', rule: joinedUserPhone() },
    { name: 'id_sesion', type: 'VARCHAR(255) NOT NULL', from: 'session_id', rule: idSesion },
    { name: 'estado', type: `VARCHAR(20) DEFAULT 'activa' ${checkEnum('estado', ESTADO_SESION)}`, from: 'status', rule: enumeration('estado', ESTADO_SESION, 'activa'), memo: true },
    { name: 'codigo_qr', type: 'TEXT', from: 'qr_code', rule: freeText() },
    { name: 'datos_sesion', type: "JSONB DEFAULT '{}'", from: 'session_data', rule: json('datos_sesion', 'object', { sourceIsJsonb: true }) },
    { name: 'expira_at', type: 'TIMESTAMP', from: 'expires_at' },
    { name: 'ultima_actividad', type: 'TIMESTAMP DEFAULT NOW()', from: 'last_activity' },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'created_at' },
  ],
  primaryKey: ['id'],
  keptIdColumn: 'id',
  indexes: {
    idx_sesiones_telefono: ['telefono'],
    idx_sesiones_id_sesion: ['id_sesion'],
    idx_sesiones_estado: ['estado'],
    idx_sesiones_expira_at: ['expira_at'],
    idx_sesiones_ultima_actividad: ['ultima_actividad'],
  },
};
