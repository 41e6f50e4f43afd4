import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { tableEstimate } from './catalog.js';
import { CopyOutStream } from './copy-out-stream.js';
import { CopiarError } from './errors.js';
import { loadLookupRules } from './lookups.js';
import { preparedJoinSql } from './prepared-join.js';
import { RejectFile, mergeRejectParts, removeRejectParts } from './rejects.js';
import type { RowCounters } from './row-engine.js';
import { dropBeforeLoad, restoreAfterLoad, type SavedConstraint } from './schema.js';
import { copyInSql, copyOutQuery, quoteIdent } from './select.js';
import type { AnyTableSpec, FastRule } from './spec.js';
import { STATE_SCHEMA, tableLoadState } from './state.js';
import { TableTransform } from './table-transform.js';

export interface TableProgress {
  table: string;
  read: number;
  written: number;
  rejected: number;
  bytes: number;
}

export interface TableResult {
  table: string;
  read: number;
  written: number;
  rejected: number;
  adjusted: number;
  bytes: number;
  /** Copy, keys and indexes, commit. */
  seconds: number;
  /** The COPY stream alone. */
  copySeconds: number;
  /** Keys, indexes and foreign keys rebuilt after the data. */
  indexSeconds: number;
  analyzeSeconds: number;
  rejectFile: string;
  /** Chunks copied (1 for an atomic table); resumed: how many were already in. */
  chunks: number;
  chunksResumed: number;
}

export interface CopyTableOptions {
  spec: AnyTableSpec;
  /** Opens a source session inside the run's snapshot (one per chunk attempt). */
  openSource: () => Promise<pg.Client>;
  target: pg.ClientBase;
  reportDir: string;
  runId: number;
  /** Tables larger than this are copied in primary-key ranges of this many rows. */
  chunkRows: number;
  /** Ranges of one chunked table copied at the same time (each on its own connections). */
  rangeJobs?: number;
  /** Opens another target connection, for ranges copied side by side. */
  openTarget?: () => Promise<pg.Client>;
  signal?: AbortSignal;
  onProgress?: (progress: TableProgress) => void;
  progressIntervalMs?: number;
  /** Tables this run loads after this one (their foreign keys are re-validated then). */
  reloadedLater?: ReadonlySet<string>;
}

interface Streamed extends RowCounters {
  bytes: number;
  seconds: number;
}

function emptyCounters(): Streamed {
  return { read: 0, written: 0, rejected: 0, adjusted: 0, bytes: 0, seconds: 0 };
}

function checkAccounts(table: string, c: RowCounters, serverRows: number): void {
  if (c.read !== c.written + c.rejected || serverRows !== c.written) {
    throw new CopiarError(
      'CUENTAS_NO_CUADRAN',
      `${table}: las cuentas no cuadran (leídas ${c.read}, escritas ${c.written} según la regla y ${serverRows} según el servidor, rechazadas ${c.rejected}); no se guardó nada.`,
      { exitCode: 1 },
    );
  }
}

/** One COPY from the source through the table's rules into the target, inside the caller's transaction. */
async function streamRows(
  options: CopyTableOptions,
  source: pg.ClientBase,
  rejects: RejectFile,
  lookupRules: Record<string, FastRule>,
  extraWhere: string | undefined,
  freeze: boolean,
  live: Set<TableTransform>,
  preparedJoin: string | undefined,
): Promise<Streamed> {
  const { spec, target } = options;
  const transform = new TableTransform({ spec, rejects, lookupRules });
  live.add(transform);
  const copyOut = source.query(new CopyOutStream(copyOutQuery(spec, { preparedJoin, extraWhere })));
  const copyIn = target.query(copyFrom(copyInSql(spec, { freeze })));
  const started = performance.now();
  try {
    await pipeline(copyOut, transform, copyIn, { signal: options.signal });
  } finally {
    live.delete(transform);
  }
  const counters = { ...transform.counters, bytes: transform.bytesRead, seconds: (performance.now() - started) / 1000 };
  checkAccounts(spec.target, counters, copyIn.rowCount);
  return counters;
}

function stopped(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function stopError(signal: AbortSignal | undefined): CopiarError {
  const reason = signal?.reason instanceof CopiarError ? signal.reason : null;
  return reason ?? new CopiarError('DETENIDO', 'detenido', { exitCode: 1 });
}

async function withProgress<T>(options: CopyTableOptions, base: () => Streamed, live: Set<TableTransform>, fn: () => Promise<T>): Promise<T> {
  const report = (): void => {
    if (options.onProgress === undefined) return;
    const sum = { ...base() };
    for (const t of live) {
      sum.read += t.counters.read;
      sum.written += t.counters.written;
      sum.rejected += t.counters.rejected;
      sum.bytes += t.bytesRead;
    }
    options.onProgress({ table: options.spec.target, read: sum.read, written: sum.written, rejected: sum.rejected, bytes: sum.bytes });
  };
  const timer = setInterval(report, options.progressIntervalMs ?? 1000);
  try {
    const result = await fn();
    // The last event carries the totals; after a failure there are none to report.
    report();
    return result;
  } finally {
    clearInterval(timer);
  }
}

async function analyze(target: pg.ClientBase, spec: AnyTableSpec): Promise<number> {
  const started = performance.now();
  await target.query(`ANALYZE ${quoteIdent(spec.target)}`);
  return (performance.now() - started) / 1000;
}

async function recordLoad(target: pg.ClientBase, options: CopyTableOptions, status: string, fields: { boundaries?: string[] | null; childForeignKeys?: SavedConstraint[]; summary?: unknown }): Promise<void> {
  await target.query(
    `INSERT INTO ${STATE_SCHEMA}.cargas (ejecucion, tabla, estado, limites, claves_hijas, resumen) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (ejecucion, tabla) DO UPDATE SET estado = EXCLUDED.estado,
       limites = COALESCE(EXCLUDED.limites, ${STATE_SCHEMA}.cargas.limites),
       claves_hijas = COALESCE(EXCLUDED.claves_hijas, ${STATE_SCHEMA}.cargas.claves_hijas),
       resumen = EXCLUDED.resumen`,
    [options.runId, options.spec.target, status, fields.boundaries ?? null, fields.childForeignKeys ? JSON.stringify(fields.childForeignKeys) : null, fields.summary === undefined ? null : JSON.stringify(fields.summary)],
  );
}

/**
 * One load transaction on `connection` with a source session of the run's snapshot: a
 * failure rolls the transaction back, closes the reject file and reports a stop as a
 * stop; the source session is always closed. `body` ends with the work to commit.
 */
async function inLoadTransaction<T>(
  options: CopyTableOptions,
  connection: pg.ClientBase,
  rejects: RejectFile,
  body: (source: pg.Client) => Promise<T>,
): Promise<T> {
  let source: pg.Client | undefined;
  try {
    source = await options.openSource();
    await connection.query('BEGIN');
    // A lost commit is re-done by loading again; the WAL flush is not worth waiting for.
    await connection.query('SET LOCAL synchronous_commit = off');
    const result = await body(source);
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    await rejects.close().catch(() => undefined);
    throw stopped(options.signal) ? stopError(options.signal) : error;
  } finally {
    if (source) await source.end().catch(() => undefined);
  }
}

/**
 * One table, atomically: in one target transaction the table's keys and indexes are
 * dropped, the table truncated, the rows streamed in with COPY FREEZE, the keys and
 * indexes rebuilt; any failure rolls all of it back and the previous content stays.
 */
async function copyAtomic(options: CopyTableOptions): Promise<TableResult> {
  const { spec, target } = options;
  const started = performance.now();
  const rejects = new RejectFile(options.reportDir, spec);
  const live = new Set<TableTransform>();
  const result = await inLoadTransaction(options, target, rejects, async (source) => {
    const lookupRules = await loadLookupRules(spec, target);
    const savedForeignKeys = await dropBeforeLoad(target, spec);
    await target.query(`TRUNCATE ${quoteIdent(spec.target)}`);
    const preparedJoin = await preparedJoinSql(spec, source);
    let copied = emptyCounters();
    const counters = await withProgress(options, () => copied, live, async () => (copied = await streamRows(options, source, rejects, lookupRules, undefined, true, live, preparedJoin)));
    const indexStarted = performance.now();
    // The server builds the indexes while this process writes the reject CSV.
    const [indexSeconds] = await Promise.all([
      restoreAfterLoad(target, spec, savedForeignKeys, options.reloadedLater).then(() => (performance.now() - indexStarted) / 1000),
      rejects.close(),
    ]);
    const loaded = { table: spec.target, ...counters, copySeconds: counters.seconds, indexSeconds, seconds: (performance.now() - started) / 1000, analyzeSeconds: 0, rejectFile: rejects.path, chunks: 1, chunksResumed: 0 };
    await recordLoad(target, options, 'completa', { summary: loaded });
    return loaded;
  });
  result.analyzeSeconds = await analyze(target, spec);
  return result;
}

/** Upper bounds of primary-key ranges of `chunkRows` rows each, read in the snapshot. */
async function chunkBoundaries(source: pg.ClientBase, spec: AnyTableSpec, key: string, chunkRows: number): Promise<string[]> {
  const column = quoteIdent(key);
  const { rows } = await source.query<{ k: string }>(
    `SELECT k FROM (SELECT ${column}::text AS k, ${column} AS o, row_number() OVER (ORDER BY ${column}) AS n FROM ${quoteIdent(spec.source.table)}) s WHERE n % $1 = 0 ORDER BY o`,
    [chunkRows],
  );
  return rows.map((r) => r.k);
}

function literal(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}

/** The condition of chunk i: (boundaries[i-1], boundaries[i]], open at both ends. */
function chunkWhere(spec: AnyTableSpec, key: string, boundaries: string[], i: number): string {
  const column = `${spec.source.alias}.${quoteIdent(key)}`;
  const conditions: string[] = [];
  if (i > 0) conditions.push(`${column} > ${literal(boundaries[i - 1]!)}`);
  if (i < boundaries.length) conditions.push(`${column} <= ${literal(boundaries[i]!)}`);
  return conditions.length > 0 ? conditions.join(' AND ') : 'true';
}

/**
 * A large table in primary-key ranges: each range's rows and its checkpoint commit in the
 * same transaction, so after a crash or a stop the table continues from the last
 * committed range (--resume). Keys and indexes are built once, after the last range.
 */
async function copyChunked(options: CopyTableOptions, key: string): Promise<TableResult> {
  const { spec, target } = options;
  const started = performance.now();
  const previous = await tableLoadState(target, options.runId, spec.target);
  let boundaries = previous?.status === 'cargando' ? previous.boundaries : null;
  let childForeignKeys: SavedConstraint[] = previous?.status === 'cargando' ? previous.childForeignKeys : [];
  const done = previous?.status === 'cargando' ? previous.doneChunks : new Map<number, Streamed>();
  const chunksResumed = done.size;

  if (boundaries === null) {
    const source = await options.openSource();
    try {
      boundaries = await chunkBoundaries(source, spec, key, options.chunkRows);
    } finally {
      await source.end().catch(() => undefined);
    }
    await target.query('BEGIN');
    try {
      // The table is emptied by the first range's own transaction, so that range can be
      // copied with FREEZE.
      childForeignKeys = await dropBeforeLoad(target, spec);
      await target.query(`DELETE FROM ${STATE_SCHEMA}.cargas WHERE ejecucion = $1 AND tabla = $2`, [options.runId, spec.target]);
      await recordLoad(target, options, 'cargando', { boundaries, childForeignKeys });
      await target.query('COMMIT');
    } catch (error) {
      await target.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  const total = (): Streamed => {
    const sum = emptyCounters();
    for (const c of done.values()) {
      sum.read += c.read;
      sum.written += c.written;
      sum.rejected += c.rejected;
      sum.adjusted += c.adjusted;
      sum.bytes += c.bytes;
      sum.seconds += c.seconds;
    }
    return sum;
  };
  const lookupRules = await loadLookupRules(spec, target);
  const live = new Set<TableTransform>();
  // Every range reads the same snapshot, so the prepared join is built once per table.
  let preparedJoin: Promise<string | undefined> | undefined;
  const copyRange = async (i: number, connection: pg.ClientBase, first: boolean): Promise<void> => {
    if (stopped(options.signal)) throw stopError(options.signal);
    const rejects = new RejectFile(options.reportDir, spec, { part: i });
    const counters = await inLoadTransaction(options, connection, rejects, async (source) => {
      // The first range to commit empties the table in its own transaction: its rows go
      // in frozen (no later hint-bit rewrite of those pages), and a failure before it
      // commits leaves the previous content.
      if (first) await connection.query(`TRUNCATE ${quoteIdent(spec.target)}`);
      preparedJoin ??= preparedJoinSql(spec, source);
      const joinSql = await preparedJoin;
      const copied = await streamRows({ ...options, target: connection }, source, rejects, lookupRules, chunkWhere(spec, key, boundaries!, i), first, live, joinSql);
      await rejects.close();
      await connection.query(
        `INSERT INTO ${STATE_SCHEMA}.tramos (ejecucion, tabla, tramo, leidas, escritas, rechazadas, ajustadas, bytes, segundos) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [options.runId, spec.target, i, copied.read, copied.written, copied.rejected, copied.adjusted, copied.bytes, copied.seconds],
      );
      return copied;
    });
    done.set(i, counters);
  };
  const pending = Array.from({ length: boundaries.length + 1 }, (_, i) => i).filter((i) => !done.has(i));
  await withProgress(options, total, live, async () => {
    // Nothing committed yet: the first range truncates, alone, before the others start.
    if (done.size === 0) await copyRange(pending.shift()!, target, true);
    const workers = Math.min(options.rangeJobs ?? 1, pending.length);
    if (workers <= 1 || options.openTarget === undefined) {
      for (const i of pending) await copyRange(i, target, false);
      return;
    }
    // Ranges side by side, each worker on its own target connection; every range still
    // commits with its own checkpoint, so a resume works the same.
    const openTarget = options.openTarget;
    let next = 0;
    let failure: unknown;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const connection = w === 0 ? target : await openTarget();
        try {
          while (failure === undefined && next < pending.length) {
            const i = pending[next++]!;
            await copyRange(i, connection, false).catch((error: unknown) => {
              failure ??= error;
            });
          }
        } finally {
          if (w > 0) await (connection as pg.Client).end().catch(() => undefined);
        }
      }),
    );
    if (failure !== undefined) throw failure;
  });

  const counters = total();
  const parts = boundaries.length + 1;
  await target.query('BEGIN');
  const indexStarted = performance.now();
  let result: TableResult;
  try {
    // The server's count of the whole table, against the sum of the chunks' counts.
    const { rows } = await target.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(spec.target)}`);
    checkAccounts(spec.target, counters, Number(rows[0]!.n));
    // The server builds the indexes while this process writes the reject CSV.
    const [indexSeconds, rejectFile] = await Promise.all([
      restoreAfterLoad(target, spec, childForeignKeys, options.reloadedLater).then(() => (performance.now() - indexStarted) / 1000),
      mergeRejectParts(options.reportDir, spec, parts),
    ]);
    result = {
      table: spec.target,
      ...counters,
      copySeconds: counters.seconds,
      indexSeconds,
      seconds: (performance.now() - started) / 1000,
      analyzeSeconds: 0,
      rejectFile,
      chunks: parts,
      chunksResumed,
    };
    await recordLoad(target, options, 'completa', { summary: result });
    await target.query('COMMIT');
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  removeRejectParts(options.reportDir, spec.target, parts);
  result.analyzeSeconds = await analyze(target, spec);
  return result;
}

/** Copies one table: in ranges when it is large and has a range key, else atomically. */
export async function copyTable(options: CopyTableOptions): Promise<TableResult> {
  const key = options.spec.source.chunkKey;
  if (key === undefined) return copyAtomic(options);
  const previous = await tableLoadState(options.target, options.runId, options.spec.target);
  if (previous?.status === 'cargando') return copyChunked(options, key);
  const source = await options.openSource();
  let estimate: number;
  try {
    estimate = (await tableEstimate(source, options.spec.source.table)).rows;
  } finally {
    await source.end().catch(() => undefined);
  }
  return estimate > options.chunkRows ? copyChunked(options, key) : copyAtomic(options);
}
