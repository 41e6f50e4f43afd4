import type pg from 'pg';
import { closeQuietly, connect, type Endpoint } from '../pg/connection.js';
import { FOLLOW_NAME } from '../follow/requirements.js';
import { readFollow } from '../state/follow-state.js';
import { runLockHolder } from '../state/run-lock.js';
import { STATE_SCHEMA, stateSchemaExists } from '../state/state-schema.js';

export interface TableStatus {
  table: string;
  /** done, ranges (some committed), copying, indexes, analyze, pending. */
  phase: 'done' | 'ranges' | 'copying' | 'indexes' | 'analyze' | 'pending';
  /** Committed rows (a finished table, or its committed ranges). */
  written: number;
  rejected: number;
  ranges_done: number | null;
  ranges: number | null;
  /** Rows the copies in flight have sent so far (not committed yet). */
  rows_in_flight: number;
  /** From the committed ranges' pace; null when there is nothing to measure. */
  seconds_left: number | null;
}

export interface RunStatus {
  run_id: number;
  /** en_curso (and alive), interrumpida (en_curso but its process is gone), completada, detenida, fallida. */
  state: string;
  started_at: string;
  ended_at: string | null;
  report_dir: string;
  /** The backend of the run's lock session while it runs. */
  pid: number | null;
  tables: TableStatus[];
}

interface Activity {
  table: string;
  phase: TableStatus['phase'];
  rows: number;
}

/** What the run's sessions are doing now: COPY into a table (and its rows so far), CREATE INDEX or ANALYZE. */
async function activity(client: pg.ClientBase): Promise<Activity[]> {
  const { rows } = await client.query<{ query: string; tuples: string | null; relname: string | null }>(
    `SELECT a.query, p.tuples_processed AS tuples, c.relname
       FROM pg_stat_activity a
       LEFT JOIN pg_stat_progress_copy p ON p.pid = a.pid
       LEFT JOIN pg_class c ON c.oid = p.relid
      WHERE a.application_name = 'copiar-tablas' AND a.state = 'active' AND a.datname = current_database()`,
  );
  const found: Activity[] = [];
  for (const r of rows) {
    const copy = r.relname ?? /^COPY "?([a-z_]+)"?/i.exec(r.query)?.[1];
    if (/^\s*COPY /i.test(r.query) && copy) found.push({ table: copy, phase: 'copying', rows: Number(r.tuples ?? 0) });
    const index = /^\s*(?:CREATE (?:UNIQUE )?INDEX \S+ ON|ALTER TABLE) "?([a-z_]+)"?/i.exec(r.query);
    if (index) found.push({ table: index[1]!, phase: 'indexes', rows: 0 });
    const analyze = /^\s*ANALYZE "?([a-z_]+)"?/i.exec(r.query);
    if (analyze) found.push({ table: analyze[1]!, phase: 'analyze', rows: 0 });
  }
  return found;
}

/**
 * The last run as another shell sees it (like pgcopydb's `list progress`): read from the
 * state schema and the server's activity views, on a read-only session. Null when no run
 * ever wrote to this target.
 */
/** A follow recorded in the target (`--follow`): how far it has applied the source's changes, and when. */
export interface FollowStatus {
  applied_lsn: string;
  applied_at: string;
  tables: string[];
}

export async function followStatus(endpoint: Endpoint): Promise<FollowStatus | null> {
  let client: pg.Client | undefined;
  try {
    client = await connect({ ...endpoint, readOnly: true, role: 'destino' });
    const record = await readFollow(client, FOLLOW_NAME);
    return record === null ? null : { applied_lsn: record.lsn, applied_at: record.appliedAt.toISOString(), tables: record.tables };
  } finally {
    await closeQuietly(client);
  }
}

export async function runStatus(endpoint: Endpoint): Promise<RunStatus | null> {
  let client: pg.Client | undefined;
  try {
    client = await connect({ ...endpoint, readOnly: true, role: 'destino' });
    if (!(await stateSchemaExists(client))) return null;
    const run = (
      await client.query<{ id: string; estado: string; iniciada_at: Date; terminada_at: Date | null; tablas: string[]; informe: string }>(
        `SELECT id, estado, iniciada_at, terminada_at, tablas, informe FROM ${STATE_SCHEMA}.ejecuciones ORDER BY id DESC LIMIT 1`,
      )
    ).rows[0];
    if (!run) return null;
    const pid = await runLockHolder(client);
    const loads = await client.query<{ tabla: string; estado: string; limites: string[] | null; resumen: { written?: number; rejected?: number } | null; hechos: number; escritas: string | null; rechazadas: string | null; segundos: number | null }>(
      `SELECT c.tabla, c.estado, c.limites, c.resumen, count(t.tramo)::int AS hechos, sum(t.escritas) AS escritas, sum(t.rechazadas) AS rechazadas, avg(t.segundos) AS segundos
         FROM ${STATE_SCHEMA}.cargas c LEFT JOIN ${STATE_SCHEMA}.tramos t ON t.ejecucion = c.ejecucion AND t.tabla = c.tabla
        WHERE c.ejecucion = $1 GROUP BY c.tabla, c.estado, c.limites, c.resumen`,
      [run.id],
    );
    const byTable = new Map(loads.rows.map((l) => [l.tabla, l]));
    const live = pid === null ? [] : await activity(client);
    const tables = run.tablas.map((table): TableStatus => {
      const load = byTable.get(table);
      const now = live.filter((a) => a.table === table);
      const inFlight = now.reduce((sum, a) => sum + a.rows, 0);
      if (load?.estado === 'completa') {
        return { table, phase: 'done', written: load.resumen?.written ?? 0, rejected: load.resumen?.rejected ?? 0, ranges_done: null, ranges: null, rows_in_flight: 0, seconds_left: 0 };
      }
      const phase = now.find((a) => a.phase !== 'copying')?.phase ?? (now.length > 0 ? 'copying' : load ? 'ranges' : 'pending');
      const ranges = load?.limites ? load.limites.length + 1 : null;
      const done = load?.hechos ?? 0;
      const left = ranges !== null && load?.segundos != null && done > 0 ? (ranges - done) * load.segundos : null;
      return { table, phase, written: Number(load?.escritas ?? 0), rejected: Number(load?.rechazadas ?? 0), ranges_done: ranges === null ? null : done, ranges, rows_in_flight: inFlight, seconds_left: left === null ? null : Math.round(left) };
    });
    const state = run.estado === 'en_curso' && pid === null ? 'interrumpida' : run.estado;
    return { run_id: Number(run.id), state, started_at: run.iniciada_at.toISOString(), ended_at: run.terminada_at?.toISOString() ?? null, report_dir: run.informe, pid, tables };
  } finally {
    await closeQuietly(client);
  }
}
