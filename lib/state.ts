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
    informe TEXT,
    tramo_filas BIGINT,
    resumen JSONB
  )`);
  // One row per table of a run; chunked tables keep their chunk boundaries here so a
  // resume cuts the table exactly as the interrupted run did.
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.cargas (
    ejecucion BIGINT NOT NULL REFERENCES ${STATE_SCHEMA}.ejecuciones (id) ON DELETE CASCADE,
    tabla TEXT NOT NULL,
    estado TEXT NOT NULL,
    limites TEXT[],
    claves_hijas JSONB,
    resumen JSONB,
    PRIMARY KEY (ejecucion, tabla)
  )`);
  // A chunk's row and its data commit in the same transaction: a chunk is in or not.
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.tramos (
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
  )`);
}

export interface UnfinishedRun {
  id: number;
  tables: string[];
  reportDir: string;
  chunkRows: number;
}

/** The last run that did not complete, for --resume. */
export async function lastUnfinishedRun(client: pg.ClientBase): Promise<UnfinishedRun | null> {
  if (!(await stateSchemaExists(client))) return null;
  const { rows } = await client.query<{ id: string; tablas: string[]; informe: string; tramo_filas: string }>(
    `SELECT id, tablas, informe, tramo_filas FROM ${STATE_SCHEMA}.ejecuciones ORDER BY id DESC LIMIT 1`,
  );
  const last = rows[0];
  if (!last) return null;
  const done = await client.query(`SELECT 1 FROM ${STATE_SCHEMA}.ejecuciones WHERE id = $1 AND estado = 'completada'`, [last.id]);
  if (done.rows.length > 0) return null;
  return { id: Number(last.id), tables: last.tablas, reportDir: last.informe, chunkRows: Number(last.tramo_filas) };
}

export interface TableLoadState {
  status: string;
  boundaries: string[] | null;
  childForeignKeys: { table: string; name: string; definition: string }[];
  summary: unknown;
  doneChunks: Map<number, { read: number; written: number; rejected: number; adjusted: number; bytes: number; seconds: number }>;
}

export async function tableLoadState(client: pg.ClientBase, runId: number, table: string): Promise<TableLoadState | null> {
  const { rows } = await client.query<{ estado: string; limites: string[] | null; claves_hijas: TableLoadState['childForeignKeys'] | null; resumen: unknown }>(
    `SELECT estado, limites, claves_hijas, resumen FROM ${STATE_SCHEMA}.cargas WHERE ejecucion = $1 AND tabla = $2`,
    [runId, table],
  );
  const row = rows[0];
  if (!row) return null;
  const chunks = await client.query<{ tramo: number; leidas: string; escritas: string; rechazadas: string; ajustadas: string; bytes: string; segundos: number }>(
    `SELECT tramo, leidas, escritas, rechazadas, ajustadas, bytes, segundos FROM ${STATE_SCHEMA}.tramos WHERE ejecucion = $1 AND tabla = $2`,
    [runId, table],
  );
  const doneChunks = new Map(
    chunks.rows.map((c) => [c.tramo, { read: Number(c.leidas), written: Number(c.escritas), rejected: Number(c.rechazadas), adjusted: Number(c.ajustadas), bytes: Number(c.bytes), seconds: c.segundos }]),
  );
  return { status: row.estado, boundaries: row.limites, childForeignKeys: row.claves_hijas ?? [], summary: row.resumen, doneChunks };
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

export async function recordRunStart(client: pg.ClientBase, tables: string[], reportDir: string, chunkRows: number): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ${STATE_SCHEMA}.ejecuciones (tablas, informe, tramo_filas) VALUES ($1, $2, $3) RETURNING id`,
    [tables, reportDir, chunkRows],
  );
  return Number(rows[0]!.id);
}

export async function recordRunResumed(client: pg.ClientBase, id: number): Promise<void> {
  await client.query(`UPDATE ${STATE_SCHEMA}.ejecuciones SET estado = 'en_curso', terminada_at = NULL WHERE id = $1`, [id]);
}

export async function recordRunEnd(client: pg.ClientBase, id: number, status: string, summary: unknown): Promise<void> {
  await client.query(`UPDATE ${STATE_SCHEMA}.ejecuciones SET terminada_at = now(), estado = $2, resumen = $3 WHERE id = $1`, [id, status, JSON.stringify(summary)]);
}
