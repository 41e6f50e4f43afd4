import type pg from 'pg';

/** The schema in the target where copiar-tablas keeps what it did. */
export const STATE_SCHEMA = 'copiar_tablas';

export async function ensureStateSchema(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${STATE_SCHEMA}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.tablas_creadas (
    tabla TEXT PRIMARY KEY,
    creada_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.ejecuciones (
    id BIGSERIAL PRIMARY KEY,
    iniciada_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    terminada_at TIMESTAMPTZ,
    estado TEXT NOT NULL DEFAULT 'en_curso',
    tablas TEXT[] NOT NULL,
    resumen JSONB
  )`);
}

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

export async function stateSchemaExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [STATE_SCHEMA]);
  return rows.length > 0;
}

export async function recordRunStart(client: pg.ClientBase, tables: string[]): Promise<number> {
  const { rows } = await client.query<{ id: string }>(`INSERT INTO ${STATE_SCHEMA}.ejecuciones (tablas) VALUES ($1) RETURNING id`, [tables]);
  return Number(rows[0]!.id);
}

export async function recordRunEnd(client: pg.ClientBase, id: number, status: string, summary: unknown): Promise<void> {
  await client.query(`UPDATE ${STATE_SCHEMA}.ejecuciones SET terminada_at = now(), estado = $2, resumen = $3 WHERE id = $1`, [id, status, JSON.stringify(summary)]);
}
