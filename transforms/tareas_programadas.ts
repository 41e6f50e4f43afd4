import { enumeration, freeText, integerInRange, json, reject } from '../lib/rules/index.js';
import type { FastRule } from '../lib/rules/index.js';
import type { TableSpec } from '../lib/table-spec/spec.js';
import { ESTADO_TAREA, TIPO_TAREA, checkEnum } from './enumerations.js';

const programadaAt: FastRule = (scheduledAt, row) => {
  const value = scheduledAt ?? row.field('created_at');
  if (value === null) reject('programada_faltante', 'sin scheduled_at ni created_at');
  return value;
};

/** tareas_programadas ← task_queue. */
export const tareas_programadas: TableSpec = {
  target: 'tareas_programadas',
  source: {
    table: 'task_queue',
    alias: 't',
    columns: ['id', 'task_type', 'payload', 'status', 'priority', 'scheduled_at', 'started_at', 'completed_at', 'error_message', 'retry_count', 'max_retries', 'created_at'],
    idColumn: 'id',
    rangeKey: 'id',
  },
  columns: [
    { name: 'id', type: 'UUID', from: 'id' },
    // No default: a task without a type cannot be run.
    { name: 'tipo_tarea', type: `VARCHAR(50) NOT NULL ${checkEnum('tipo_tarea', TIPO_TAREA)}`, from: 'task_type', rule: enumeration('tipo_tarea', TIPO_TAREA), memo: true },
    { name: 'payload', type: 'JSONB NOT NULL', from: 'payload', rule: json('payload', 'object', { sourceIsJsonb: true }) },
    { name: 'estado', type: `VARCHAR(20) DEFAULT 'pendiente' ${checkEnum('estado', ESTADO_TAREA)}`, from: 'status', rule: enumeration('estado', ESTADO_TAREA, 'pendiente'), memo: true },
    { name: 'prioridad', type: 'INTEGER DEFAULT 0 CHECK (prioridad >= 0 AND prioridad <= 10)', from: 'priority', rule: integerInRange('prioridad', 0, 10, 0) },
    { name: 'programada_at', type: 'TIMESTAMP NOT NULL', from: 'scheduled_at', rule: programadaAt },
    { name: 'iniciada_at', type: 'TIMESTAMP', from: 'started_at' },
    { name: 'completada_at', type: 'TIMESTAMP', from: 'completed_at' },
    { name: 'mensaje_error', type: 'TEXT', from: 'error_message', rule: freeText() },
    { name: 'intentos', type: 'INTEGER DEFAULT 0 CHECK (intentos >= 0)', from: 'retry_count', rule: integerInRange('intentos', 0, Infinity, 0) },
    { name: 'max_intentos', type: 'INTEGER DEFAULT 3 CHECK (max_intentos > 0)', from: 'max_retries', rule: integerInRange('max_intentos', 1, Infinity, 3) },
    { name: 'creado_at', type: 'TIMESTAMP DEFAULT NOW()', from: 'created_at' },
  ],
  primaryKey: ['id'],
  keptIdColumn: 'id',
  indexes: {
    idx_tareas_programadas_estado: ['estado'],
    idx_tareas_programadas_tipo: ['tipo_tarea'],
    idx_tareas_programadas_programada_at: ['programada_at'],
    idx_tareas_programadas_prioridad: ['prioridad'],
  },
};
