import type pg from 'pg';
import { STATE_SCHEMA } from './state-schema.js';

/** Remembers that this tool created the table, so that rollback drops only those. */
export async function recordCreatedTable(client: pg.ClientBase, table: string): Promise<void> {
  await client.query(`INSERT INTO ${STATE_SCHEMA}.tablas_creadas (tabla) VALUES ($1) ON CONFLICT DO NOTHING`, [table]);
}

/** Tables this tool created and that still exist, or [] when the state schema is missing. */
export async function createdTables(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ tabla: string }>(
    `SELECT t.tabla FROM ${STATE_SCHEMA}.tablas_creadas t
       WHERE to_regclass(current_schema() || '.' || quote_ident(t.tabla)) IS NOT NULL
       ORDER BY t.tabla`,
  ).catch((error: { code?: string }) => {
    if (error.code === '42P01' || error.code === '3F000') return { rows: [] as { tabla: string }[] };
    throw error;
  });
  return rows.map((r) => r.tabla);
}
