import type pg from 'pg';
import { STATE_SCHEMA, stateSchemaExists } from './state-schema.js';

export interface UnfinishedRun {
  id: number;
  tables: string[];
  reportDir: string;
  rangeRows: number;
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
  return { id: Number(last.id), tables: last.tablas, reportDir: last.informe, rangeRows: Number(last.tramo_filas) };
}

export async function recordRunStart(client: pg.ClientBase, tables: string[], reportDir: string, rangeRows: number): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ${STATE_SCHEMA}.ejecuciones (tablas, informe, tramo_filas) VALUES ($1, $2, $3) RETURNING id`,
    [tables, reportDir, rangeRows],
  );
  return Number(rows[0]!.id);
}

export async function recordRunResumed(client: pg.ClientBase, id: number): Promise<void> {
  await client.query(`UPDATE ${STATE_SCHEMA}.ejecuciones SET estado = 'en_curso', terminada_at = NULL WHERE id = $1`, [id]);
}

export async function recordRunEnd(client: pg.ClientBase, id: number, status: string, summary: unknown): Promise<void> {
  await client.query(`UPDATE ${STATE_SCHEMA}.ejecuciones SET terminada_at = now(), estado = $2, resumen = $3 WHERE id = $1`, [id, status, JSON.stringify(summary)]);
}
