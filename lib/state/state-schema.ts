import type pg from 'pg';
import { inOneTrip } from '../pg/one-trip.js';

/** The schema in the target where copiar-tablas keeps what it did. */
export const STATE_SCHEMA = 'copiar_tablas';

/**
 * Whether the state schema exists (`schema`), and whether the tables that say what the tool
 * created and loaded are there to be read (`tables`): one row, to go in a trip with others.
 */
const STATE_SCHEMA_EXISTS = `EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '${STATE_SCHEMA}')`;

export const STATE_PRESENCE_SQL = `SELECT ${STATE_SCHEMA_EXISTS} AS schema,
         to_regclass('${STATE_SCHEMA}.tablas_creadas') IS NOT NULL AND to_regclass('${STATE_SCHEMA}.cargas') IS NOT NULL AS tables`;

export async function ensureStateSchema(client: pg.ClientBase): Promise<void> {
  // One round trip: statements of one simple query run as one implicit transaction.
  await inOneTrip(client, ensureStateSchemaSql());
}

/** The statements that make the state schema (or bring an older one up to date), to go in one trip. */
export function ensureStateSchemaSql(): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${STATE_SCHEMA}`,
    `CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.tablas_creadas (
      tabla TEXT PRIMARY KEY,
      creada_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.ejecuciones (
      id BIGSERIAL PRIMARY KEY,
      iniciada_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      terminada_at TIMESTAMPTZ,
      estado TEXT NOT NULL DEFAULT 'en_curso',
      tablas TEXT[] NOT NULL,
      informe TEXT,
      tramo_filas BIGINT,
      resumen JSONB
    )`,
    // One row per table of a run; tables copied in ranges keep their boundaries here so a
    // resume cuts the table exactly as the interrupted run did.
    `CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.cargas (
      ejecucion BIGINT NOT NULL REFERENCES ${STATE_SCHEMA}.ejecuciones (id) ON DELETE CASCADE,
      tabla TEXT NOT NULL,
      estado TEXT NOT NULL,
      limites TEXT[],
      claves_hijas JSONB,
      resumen JSONB,
      PRIMARY KEY (ejecucion, tabla)
    )`,
    // A range's row and its data commit in the same transaction: a range is in or not.
    `CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.tramos (
      ejecucion BIGINT NOT NULL,
      tabla TEXT NOT NULL,
      tramo INT NOT NULL,
      leidas BIGINT NOT NULL,
      escritas BIGINT NOT NULL,
      rechazadas BIGINT NOT NULL,
      ajustadas BIGINT NOT NULL,
      bytes BIGINT NOT NULL,
      segundos DOUBLE PRECISION NOT NULL,
      terminado_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (ejecucion, tabla, tramo),
      FOREIGN KEY (ejecucion, tabla) REFERENCES ${STATE_SCHEMA}.cargas (ejecucion, tabla) ON DELETE CASCADE
    )`,
    // Tables are the tool's by OID, not by name: a table dropped and made again by someone
    // else under the same name is not. Older state schemas get the columns here.
    `ALTER TABLE ${STATE_SCHEMA}.tablas_creadas ADD COLUMN IF NOT EXISTS oid OID`,
    `ALTER TABLE ${STATE_SCHEMA}.cargas ADD COLUMN IF NOT EXISTS tabla_oid OID`,
  ];
}

export async function stateSchemaExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ schema: boolean }>(`SELECT ${STATE_SCHEMA_EXISTS} AS schema`);
  return rows[0]!.schema;
}
