import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { DEPENDS_ON, TABLES, TABLE_NAMES, tableSpec } from '../transforms/index.js';
import { closeQuietly, connect, scrubSecrets } from './connection.js';
import { tableEstimate } from './catalog.js';
import { copyTable, type TableProgress, type TableResult } from './copy-table.js';
import { CopiarError } from './errors.js';
import { checkShape, createMissingTable, existingColumns, indexSql, keySql } from './schema.js';
import type { AnyTableSpec } from './spec.js';
import { sourcePrivilegeProblems, targetPrivilegeProblems } from './privileges.js';
import { ensureStateSchema, lastUnfinishedRun, stateSchemaExists, recordCreatedTable, recordRunEnd, recordRunResumed, recordRunStart, tableLoadState } from './state.js';

export interface RunOptions {
  sourceUrl: string;
  targetUrl: string;
  /** Target tables to migrate; all nine when empty. */
  tables?: readonly string[];
  reportDir: string;
  sslCa?: string;
  /** Tables copied at the same time, each on its own pair of connections. */
  jobs?: number;
  onEvent?: (event: RunEvent) => void;
  /** Continue the last unfinished run (its tables, report folder and chunks). */
  resume?: boolean;
  /** Rows per chunk for the large tables (resumable copies). */
  chunkRows?: number;
  /** Transient failures retried per table, with exponential backoff. */
  retries?: number;
  /** Aborting stops the run: the chunk in flight rolls back, committed chunks stay. */
  signal?: AbortSignal;
  /** Called once the run's snapshot is taken, before any table is read; awaited. */
  onSnapshot?: (snapshot: string) => Promise<void> | void;
  progressIntervalMs?: number;
}

export type RunEvent =
  | { type: 'run_start'; tables: string[]; reportDir: string }
  | { type: 'snapshot'; snapshot: string }
  | { type: 'table_start'; table: string; estimatedRows: number }
  | ({ type: 'table_progress' } & TableProgress)
  | { type: 'table_done'; result: TableResult }
  | { type: 'table_failed'; table: string; code: string; message: string }
  | { type: 'table_retry'; table: string; attempt: number; waitMs: number; message: string }
  | { type: 'run_done'; summary: RunSummary };

export interface TableSummary {
  read: number;
  written: number;
  rejected: number;
  adjusted: number;
  seconds: number;
  copy_seconds: number;
  index_seconds: number;
  analyze_seconds: number;
  bytes: number;
  status: 'ok' | 'failed' | 'stopped';
  error?: string;
  chunks?: number;
  chunks_resumed?: number;
  /** Finished by an earlier, interrupted run and kept by --resume. */
  resumed?: boolean;
}

export interface RunSummary {
  tables: Record<string, TableSummary>;
  ok: boolean;
  /** Stopped on purpose (signal, --max-duration, --until). */
  stopped?: boolean;
  started_at: string;
  seconds: number;
  snapshot: string | null;
  report_dir: string;
  /** Peak resident memory of this process, for capacity planning. */
  peak_rss_mb: number;
}

/**
 * Rows per chunk of a large table: a resume loses at most one chunk of work (about 30 s
 * of mensajes here), and a table under this size is copied atomically, with COPY FREEZE.
 */
export const DEFAULT_CHUNK_ROWS = 4_000_000;

// One lock for every copiar-tablas run against a target database ('copi' in ASCII).
const RUN_LOCK_KEY = 0x636f7069;

export function resolveTables(names: readonly string[] | undefined): AnyTableSpec[] {
  if (names === undefined || names.length === 0) return [...TABLES];
  const unknown = names.filter((n) => tableSpec(n) === undefined);
  if (unknown.length > 0) {
    throw new CopiarError(
      'TABLA_DESCONOCIDA',
      `Tabla desconocida: ${unknown.join(', ')}; las tablas válidas son ${TABLE_NAMES.join(', ')}.`,
      { context: { unknown } },
    );
  }
  // Always in the contract's load order, whatever order they were named in.
  return TABLES.filter((t) => names.includes(t.target));
}

/** The source columns every table reads, joins included; missing ones are schema drift. */
export function requiredSourceColumns(specs: AnyTableSpec[]): Map<string, Set<string>> {
  const required = new Map<string, Set<string>>();
  const need = (table: string, columns: Iterable<string>): void => {
    if (!required.has(table)) required.set(table, new Set());
    for (const c of columns) required.get(table)!.add(c);
  };
  for (const spec of specs) {
    need(spec.source.table, spec.source.columns);
    // Joined tables: every `<alias>.<column>` the joins and lookups name.
    const aliases = new Map<string, string>();
    for (const m of (spec.source.joins ?? '').matchAll(/JOIN\s+(\w+)\s+(\w+)/gi)) aliases.set(m[2]!, m[1]!);
    const sql = `${spec.source.joins ?? ''} ${Object.values(spec.source.lookups ?? {}).join(' ')}`;
    for (const m of sql.matchAll(/\b(\w+)\.(\w+)\b/g)) {
      const table = aliases.get(m[1]!);
      if (table !== undefined) need(table, [m[2]!]);
    }
    for (const [table, columns] of Object.entries(spec.source.prepared?.requires ?? {})) need(table, columns);
  }
  return required;
}

export async function checkSource(client: pg.ClientBase, specs: AnyTableSpec[]): Promise<void> {
  const required = requiredSourceColumns(specs);
  const denied = await sourcePrivilegeProblems(client, required.keys());
  if (denied.length > 0) {
    throw new CopiarError('PERMISOS_INSUFICIENTES', `El usuario de origen no puede leer lo que la migración necesita: ${denied.join('; ')}.`, { context: { problems: denied } });
  }
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [[...required.keys()]],
  );
  const problems: string[] = [];
  for (const [table, columns] of required) {
    const present = new Set(rows.filter((r) => r.table_name === table).map((r) => r.column_name));
    if (present.size === 0) {
      problems.push(`no existe la tabla ${table}`);
      continue;
    }
    const missing = [...columns].filter((c) => !present.has(c));
    if (missing.length > 0) problems.push(`a ${table} le falta ${missing.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new CopiarError('ORIGEN_INCOMPLETO', `La base de origen no tiene lo que la migración lee (${problems.join('; ')}): revise que --source apunte a la base heredada correcta.`, {
      context: { problems },
    });
  }
}

/** The tables of the run plus the ones their foreign keys point at, in load order. */
export function tablesToEnsure(specs: AnyTableSpec[]): AnyTableSpec[] {
  const names = new Set(specs.map((s) => s.target));
  for (const spec of specs) for (const fk of spec.foreignKeys ?? []) names.add(fk.references);
  return TABLES.filter((t) => names.has(t.target));
}

async function ensureTargetSchema(client: pg.ClientBase, specs: AnyTableSpec[]): Promise<void> {
  const wanted = tablesToEnsure(specs);
  const existing = await existingColumns(client, wanted.map((s) => s.target));
  for (const spec of wanted) checkShape(spec, existing.get(spec.target));
  const existingTables = wanted.filter((s) => existing.has(s.target)).map((s) => s.target);
  const problems = await targetPrivilegeProblems(client, existingTables, existingTables.length < wanted.length || !(await stateSchemaExists(client)));
  if (problems.length > 0) {
    throw new CopiarError('PERMISOS_INSUFICIENTES', `El usuario de destino no puede migrar: ${problems.join('; ')}.`, { context: { problems } });
  }
  const missing = wanted.filter((s) => !existing.has(s.target));
  await ensureStateSchema(client);
  if (missing.length === 0) return;
  await client.query('BEGIN');
  try {
    for (const spec of missing) {
      await createMissingTable(client, spec);
      await recordCreatedTable(client, spec.target);
    }
    // Empty tables get their keys and indexes at once, so a table loaded alone later
    // finds the keys its foreign keys need; each load rebuilds them anyway.
    for (const spec of missing) for (const sql of [...keySql(spec), ...indexSql(spec)]) await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export async function takeRunLock(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RUN_LOCK_KEY]);
  if (!rows[0]?.locked) {
    throw new CopiarError('EJECUCION_EN_CURSO', 'Ya hay otra ejecución de copiar-tablas contra esta base de destino; espere a que termine (o deténgala) antes de lanzar otra.');
  }
}

async function openSnapshotSession(url: string, sslCa: string | undefined, snapshot: string): Promise<pg.Client> {
  const client = await connect({ url, sslCa, readOnly: true, role: 'origen' });
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
  } catch (error) {
    await closeQuietly(client);
    if ((error as { code?: string }).code === '22023' || /snapshot .* does not exist|invalid snapshot/i.test((error as Error).message)) {
      throw new CopiarError('TABLA_FALLIDA', 'la instantánea del origen ya no existe (se perdió la conexión que la sostenía o se reinició el servidor)', { exitCode: 1, cause: error });
    }
    throw error;
  }
  return client;
}

function tableSummary(result: TableResult): TableSummary {
  return {
    read: result.read,
    written: result.written,
    rejected: result.rejected,
    adjusted: result.adjusted,
    seconds: Number(result.seconds.toFixed(3)),
    copy_seconds: Number(result.copySeconds.toFixed(3)),
    index_seconds: Number(result.indexSeconds.toFixed(3)),
    analyze_seconds: Number(result.analyzeSeconds.toFixed(3)),
    bytes: result.bytes,
    status: 'ok',
    chunks: result.chunks,
    chunks_resumed: result.chunksResumed,
  };
}

function failedSummary(message: string, status: 'failed' | 'stopped' = 'failed'): TableSummary {
  return { read: 0, written: 0, rejected: 0, adjusted: 0, seconds: 0, copy_seconds: 0, index_seconds: 0, analyze_seconds: 0, bytes: 0, status, error: message };
}

const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300', '40001', '40P01', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** A dropped connection, a restarting server, a serialization failure: worth another try. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return /Connection terminated|terminating connection|not queryable|socket hang up/i.test((error as Error)?.message ?? '');
}

const RESUME_HINT = 'continúe con: copiar-tablas --resume';

/**
 * A whole run: checks before any write (tables, source columns, target shapes, the run
 * lock), one exported snapshot for every source read, then the tables in load order,
 * `jobs` at a time, a table starting once the tables its lookups read are done. With
 * `resume`, the last unfinished run continues: finished tables are kept and a chunked
 * table goes on from its last committed chunk.
 */
export async function migrate(options: RunOptions): Promise<RunSummary> {
  const emit = options.onEvent ?? (() => undefined);
  const startedAt = new Date();
  const started = performance.now();
  const secrets = [options.sourceUrl, options.targetUrl];
  const jobs = Math.max(1, options.jobs ?? 1);
  const retries = Math.max(0, options.retries ?? 3);
  let specs = resolveTables(options.tables);
  let reportDir = options.reportDir;
  let chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;

  let coordinator: pg.Client | undefined;
  let lockSession: pg.Client | undefined;
  let runId: number | undefined;
  const summary: RunSummary = { tables: {}, ok: true, started_at: startedAt.toISOString(), seconds: 0, snapshot: null, report_dir: reportDir, peak_rss_mb: 0 };
  try {
    coordinator = await connect({ url: options.sourceUrl, sslCa: options.sslCa, readOnly: true, role: 'origen' });
    lockSession = await connect({ url: options.targetUrl, sslCa: options.sslCa, role: 'destino' });
    await takeRunLock(lockSession);
    if (options.resume) {
      const unfinished = await lastUnfinishedRun(lockSession);
      if (unfinished === null) throw new CopiarError('USO_INVALIDO', 'No hay ninguna ejecución sin terminar que continuar: lance la migración sin --resume.');
      specs = resolveTables(unfinished.tables);
      reportDir = unfinished.reportDir;
      chunkRows = unfinished.chunkRows;
      summary.report_dir = reportDir;
      runId = unfinished.id;
    }
    await checkSource(coordinator, specs);
    await ensureTargetSchema(lockSession, specs);
    if (runId === undefined) runId = await recordRunStart(lockSession, specs.map((s) => s.target), reportDir, chunkRows);
    else await recordRunResumed(lockSession, runId);
    const run = runId;

    await coordinator.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await coordinator.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    const snapshot = rows[0]!.snapshot;
    summary.snapshot = snapshot;
    mkdirSync(reportDir, { recursive: true });
    emit({ type: 'run_start', tables: specs.map((s) => s.target), reportDir });
    emit({ type: 'snapshot', snapshot });
    await options.onSnapshot?.(snapshot);

    const done = new Map<string, Promise<boolean>>();
    const runTable = async (spec: AnyTableSpec): Promise<boolean> => {
      const dependencies = (DEPENDS_ON[spec.target] ?? []).filter((d) => done.has(d));
      const dependencyResults = await Promise.all(dependencies.map((d) => done.get(d)!));
      const failedDependency = dependencies.find((_, i) => !dependencyResults[i]);
      if (failedDependency !== undefined) {
        const message = `${spec.target} no se migró porque falló ${failedDependency}, de la que depende.`;
        summary.tables[spec.target] = failedSummary(message);
        emit({ type: 'table_failed', table: spec.target, code: 'TABLA_FALLIDA', message });
        return false;
      }
      await slots.acquire();
      try {
        const previous = await tableLoadState(lockSession!, run, spec.target);
        if (previous?.status === 'completa') {
          const result = previous.summary as TableResult;
          summary.tables[spec.target] = { ...tableSummary(result), resumed: true };
          emit({ type: 'table_done', result });
          return true;
        }
        if (options.signal?.aborted) throw options.signal.reason;
        emit({ type: 'table_start', table: spec.target, estimatedRows: (await tableEstimate(coordinator!, spec.source.table)).rows });
        for (let attempt = 0; ; attempt++) {
          let target: pg.Client | undefined;
          try {
            target = await connect({ url: options.targetUrl, sslCa: options.sslCa, role: 'destino' });
            const result = await copyTable({
              spec,
              openSource: () => openSnapshotSession(options.sourceUrl, options.sslCa, snapshot),
              target,
              reportDir,
              runId: run,
              chunkRows,
              rangeJobs: jobs,
              openTarget: () => connect({ url: options.targetUrl, sslCa: options.sslCa, role: 'destino' }),
              signal: options.signal,
              progressIntervalMs: options.progressIntervalMs,
              reloadedLater: new Set(specs.slice(specs.indexOf(spec) + 1).map((s) => s.target)),
              onProgress: (progress) => emit({ type: 'table_progress', ...progress }),
            });
            summary.tables[spec.target] = tableSummary(result);
            emit({ type: 'table_done', result });
            return true;
          } catch (error) {
            if (attempt >= retries || options.signal?.aborted || !isTransient(error)) throw error;
            const wait = 1000 * 2 ** attempt;
            emit({ type: 'table_retry', table: spec.target, attempt: attempt + 1, waitMs: wait, message: scrubSecrets((error as Error).message, secrets) });
            await new Promise((resolve) => setTimeout(resolve, wait));
          } finally {
            await closeQuietly(target);
          }
        }
      } catch (error) {
        const stoppedOnPurpose = options.signal?.aborted === true;
        const raw = scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
        // A bare "write EPIPE" says nothing to an operator: say what it was.
        const base = !stoppedOnPurpose && isTransient(error) ? `se perdió la conexión y no volvió en ${retries} reintentos (${raw})` : raw;
        const message = stoppedOnPurpose ? `${spec.target}: ${base}; ${RESUME_HINT}.` : `${base} (${RESUME_HINT})`;
        const code = stoppedOnPurpose ? 'DETENIDO' : error instanceof CopiarError ? error.code : ((error as { code?: string }).code ?? 'TABLA_FALLIDA');
        summary.tables[spec.target] = failedSummary(message, stoppedOnPurpose ? 'stopped' : 'failed');
        emit({ type: 'table_failed', table: spec.target, code, message });
        return false;
      } finally {
        slots.release();
      }
    };
    const slots = new Slots(jobs);
    for (const spec of specs) {
      const finished = runTable(spec);
      done.set(spec.target, finished);
      // One job: exactly the contract's load order, one table after the other.
      if (jobs === 1) await finished;
    }
    const results = await Promise.all(done.values());
    summary.ok = results.every(Boolean);
    summary.stopped = options.signal?.aborted === true;
    await recordRunEnd(lockSession, run, summary.ok ? 'completada' : summary.stopped ? 'detenida' : 'fallida', summary.tables).catch(() => undefined);
  } finally {
    await closeQuietly(coordinator);
    await closeQuietly(lockSession);
  }
  summary.seconds = Number(((performance.now() - started) / 1000).toFixed(3));
  summary.peak_rss_mb = Number((process.resourceUsage().maxRSS / 1024).toFixed(1));
  writeSummary(reportDir, summary);
  emit({ type: 'run_done', summary });
  return summary;
}

export function writeSummary(reportDir: string, summary: RunSummary): void {
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(path.join(reportDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}

/** A counting semaphore: at most `size` tables copy at once. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
