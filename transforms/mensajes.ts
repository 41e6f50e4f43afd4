import { enumeration, freeText, json, shortText } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { ESTADO_PROCESAMIENTO, TIPO_MENSAJE, checkEnum } from './enumerations.js';
import { joinedUserPhone, userPhoneJoin } from './shared.js';

/** mensajes ← messages: the large table. Only ruled columns are ever decoded. */
export const mensajes: TableSpec = {
  target: 'mensajes',
  source: {
    table: 'messages',
    alias: 'm',
    columns: ['id', 'conversation_id', 'user_id', 'message_type', 'content', 'media_url', 'media_type', 'ai_response', 'processing_status', 'metadata', 'timestamp'],
    // The phone of the sender, any user_type: a join, never a query per row.
    prepared: userPhoneJoin('m'),
    lookups: { telefono_usuario: 'tel.valor' },
    idColumn: 'id',
    rangeKey: 'id',
  },
  columns: [
    { name: 'id', type: 'UUID', from: 'id' },
    { name: 'conversacion_id', type: 'UUID', from: 'conversation_id' },
    { name: 'telefono', type: 'VARCHAR(20) NOT NULL', from: 'telefono_usuario', rule: joinedUserPhone() },
    { name: 'tipo_mensaje', type: `VARCHAR(50) NOT NULL ${checkEnum('tipo_mensaje', TIPO_MENSAJE)}`, from: 'message_type', rule: enumeration('tipo_mensaje', TIPO_MENSAJE, 'texto'), memo: true },
    { name: 'contenido', type: 'TEXT NOT NULL', from: 'content', rule: freeText({ nullAs: '' }) },
    { name: 'url_media', type: 'VARCHAR(500)', from: 'media_url', rule: shortText({ column: 'url_media', max: 500 }) },
    { name: 'tipo_media', type: 'VARCHAR(20)', from: 'media_type', rule: shortText({ column: 'tipo_media', max: 20 }), memo: true },
    { name: 'respuesta_ia', type: 'TEXT', from: 'ai_response' },
    {
      name: 'estado_procesamiento',
      type: `VARCHAR(20) DEFAULT 'pendiente' ${checkEnum('estado_procesamiento', ESTADO_PROCESAMIENTO)}`,
      from: 'processing_status',
      rule: enumeration('estado_procesamiento', ESTADO_PROCESAMIENTO, 'completado'),
      memo: true,
    },
    { name: 'metadata', type: "JSONB DEFAULT '{}'", from: 'metadata', rule: json('metadata', 'object', { sourceIsJsonb: true }) },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'timestamp' },
  ],
  primaryKey: ['id'],
  keptIdColumn: 'id',
  indexes: {
    idx_mensajes_conversacion: ['conversacion_id'],
    idx_mensajes_telefono: ['telefono'],
    idx_mensajes_tipo: ['tipo_mensaje'],
    idx_mensajes_estado: ['estado_procesamiento'],
    idx_mensajes_creado_at: ['creado_at'],
  },
};
