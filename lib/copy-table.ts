import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CopyOutStream } from './copy-out-stream.js';
import { CopiarError } from './errors.js';
import { buildPreparedJoin } from './prepared-join.js';
import { RejectFile } from './rejects.js';
import { dropBeforeLoad, restoreAfterLoad } from './schema.js';
import { copyInSql, copyOutSql, quoteIdent } from './select.js';
import type { AnyTableSpec } from './spec.js';
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
}

export interface CopyTableOptions {
  spec: AnyTableSpec;
  /** A source session already inside the run's snapshot. */
  source: pg.ClientBase;
  target: pg.ClientBase;
  reportDir: string;
  onProgress?: (progress: TableProgress) => void;
  progressIntervalMs?: number;
  /** Tables this run loads after this one (their foreign keys are re-validated then). */
  reloadedLater?: ReadonlySet<string>;
}

/**
 * One table, atomically: in one target transaction the table's keys and indexes are
 * dropped, the table truncated, the rows streamed in with COPY FREEZE, the keys and
 * indexes rebuilt; any failure rolls all of it back and the previous content stays.
 */
export async function copyTable(options: CopyTableOptions): Promise<TableResult> {
  const { spec, source, target } = options;
  const started = performance.now();
  const rejects = new RejectFile(options.reportDir, spec.target, spec.source.columns);
  let transform: TableTransform | undefined;
  const report = (): void => {
    if (transform === undefined || options.onProgress === undefined) return;
    const { read, written, rejected } = transform.counters;
    options.onProgress({ table: spec.target, read, written, rejected, bytes: transform.bytesRead });
  };
  const timer = setInterval(report, options.progressIntervalMs ?? 1000);
  try {
    await target.query('BEGIN');
    // A lost commit is re-done by running the table again; the WAL flush is not worth waiting for.
    await target.query('SET LOCAL synchronous_commit = off');
    const lookups = spec.loadLookups ? await spec.loadLookups(target) : undefined;
    const lookupRules = spec.lookupRules ? spec.lookupRules(lookups) : {};
    const savedForeignKeys = await dropBeforeLoad(target, spec);
    await target.query(`TRUNCATE ${quoteIdent(spec.target)}`);

    const preparedJoin = spec.source.prepared ? (await buildPreparedJoin(source, spec.source.prepared)).sql : undefined;
    transform = new TableTransform({ spec, rejects, lookupRules });
    const copyOut = source.query(new CopyOutStream(copyOutSql(spec, { preparedJoin })));
    const copyIn = target.query(copyFrom(copyInSql(spec, { freeze: true })));
    const copyStarted = performance.now();
    await pipeline(copyOut, transform, copyIn);
    const copySeconds = (performance.now() - copyStarted) / 1000;

    const { read, written, rejected, adjusted } = transform.counters;
    if (read !== written + rejected || copyIn.rowCount !== written) {
      throw new CopiarError(
        'CUENTAS_NO_CUADRAN',
        `${spec.target}: las cuentas no cuadran (leídas ${read}, escritas ${written} según la regla y ${copyIn.rowCount} según el servidor, rechazadas ${rejected}); no se guardó nada.`,
        { exitCode: 1 },
      );
    }
    const indexStarted = performance.now();
    await restoreAfterLoad(target, spec, savedForeignKeys, options.reloadedLater);
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    await rejects.close();
    await target.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    report();

    const analyzeStarted = performance.now();
    await target.query(`ANALYZE ${quoteIdent(spec.target)}`);
    const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
    return { table: spec.target, read, written, rejected, adjusted, bytes: transform.bytesRead, seconds, copySeconds, indexSeconds, analyzeSeconds, rejectFile: rejects.path };
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    await rejects.close().catch(() => undefined);
    throw error;
  } finally {
    clearInterval(timer);
  }
}
