import type pg from 'pg';
import type { CopyCounts } from '../engine/counts.js';
import { tableOidSql } from './created-tables.js';
import { STATE_SCHEMA } from './state-schema.js';

/** A range copied and committed: its counts and how long its COPY took. */
export interface RangeDone extends CopyCounts {
  seconds: number;
}

export interface ChildForeignKey {
  table: string;
  name: string;
  definition: string;
}

/** A table of a run: `cargando` while its ranges go in, `completa` once it committed. */
export interface TableLoadState {
  status: 'cargando' | 'completa';
  /** Upper bounds of the table's primary-key ranges, read once in the run's snapshot. */
  boundaries: string[] | null;
  /** Foreign keys other tables held on this one, restored after the last range. */
  childForeignKeys: ChildForeignKey[];
  /** The finished table's result, as the run reported it. */
  summary: unknown;
  doneRanges: Map<number, RangeDone>;
}

export async function tableLoadState(client: pg.ClientBase, runId: number, table: string): Promise<TableLoadState | null> {
  const { rows } = await client.query<{ estado: TableLoadState['status']; limites: string[] | null; claves_hijas: ChildForeignKey[] | null; resumen: unknown }>(
    `SELECT estado, limites, claves_hijas, resumen FROM ${STATE_SCHEMA}.cargas WHERE ejecucion = $1 AND tabla = $2`,
    [runId, table],
  );
  const row = rows[0];
  if (!row) return null;
  const ranges = await client.query<{ tramo: number; leidas: string; escritas: string; rechazadas: string; ajustadas: string; bytes: string; segundos: number }>(
    `SELECT tramo, leidas, escritas, rechazadas, ajustadas, bytes, segundos FROM ${STATE_SCHEMA}.tramos WHERE ejecucion = $1 AND tabla = $2`,
    [runId, table],
  );
  const doneRanges = new Map(
    ranges.rows.map((r) => [r.tramo, { read: Number(r.leidas), written: Number(r.escritas), rejected: Number(r.rechazadas), adjusted: Number(r.ajustadas), bytes: Number(r.bytes), seconds: r.segundos }]),
  );
  return { status: row.estado, boundaries: row.limites, childForeignKeys: row.claves_hijas ?? [], summary: row.resumen, doneRanges };
}

/** A table about to be copied in ranges: its boundaries and saved child keys, nothing done yet. */
export async function recordRangedLoadStart(client: pg.ClientBase, runId: number, table: string, boundaries: string[], childForeignKeys: ChildForeignKey[]): Promise<void> {
  await client.query(`DELETE FROM ${STATE_SCHEMA}.cargas WHERE ejecucion = $1 AND tabla = $2`, [runId, table]);
  await client.query(`INSERT INTO ${STATE_SCHEMA}.cargas (ejecucion, tabla, estado, limites, claves_hijas, tabla_oid) VALUES ($1, $2::text, 'cargando', $3, $4, ${tableOidSql('$2')})`, [
    runId,
    table,
    boundaries,
    JSON.stringify(childForeignKeys),
  ]);
}

/** One range's rows are in: written in the range's own transaction, so a range is in or not. */
export async function recordRangeDone(client: pg.ClientBase, runId: number, table: string, range: number, done: RangeDone): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.tramos (ejecucion, tabla, tramo, leidas, escritas, rechazadas, ajustadas, bytes, segundos) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [runId, table, range, done.read, done.written, done.rejected, done.adjusted, done.bytes, done.seconds],
  );
}

/** The table is complete, in the transaction that commits its last step; `summary` is its result. */
export async function recordTableDone(client: pg.ClientBase, runId: number, table: string, summary: unknown): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.cargas (ejecucion, tabla, estado, resumen, tabla_oid) VALUES ($1, $2::text, 'completa', $3, ${tableOidSql('$2')})
     ON CONFLICT (ejecucion, tabla) DO UPDATE SET estado = EXCLUDED.estado, resumen = EXCLUDED.resumen, tabla_oid = EXCLUDED.tabla_oid`,
    [runId, table, JSON.stringify(summary)],
  );
}

/** The committed ranges of the tables a run has not finished: their reject spools must still be there. */
export async function committedRangesOfUnfinishedTables(client: pg.ClientBase, runId: number): Promise<{ table: string; range: number }[]> {
  const { rows } = await client.query<{ tabla: string; tramo: number }>(
    `SELECT t.tabla, t.tramo FROM ${STATE_SCHEMA}.tramos t JOIN ${STATE_SCHEMA}.cargas c ON c.ejecucion = t.ejecucion AND c.tabla = t.tabla
     WHERE t.ejecucion = $1 AND c.estado = 'cargando' ORDER BY t.tabla, t.tramo`,
    [runId],
  );
  return rows.map((r) => ({ table: r.tabla, range: r.tramo }));
}
