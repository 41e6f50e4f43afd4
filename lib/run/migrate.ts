import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { checkWritableDir } from '../private-files.js';
import { Limiter } from '../load/limiter.js';
import { stopError } from '../load/load-transaction.js';
import { closeQuietly, connect, connectAll } from '../pg/connection.js';
import { IdleSessions } from '../pg/idle-sessions.js';
import { OneAtATime } from '../pg/one-at-a-time.js';
import { databaseIdentity, tableEstimates } from '../pg/catalog.js';
import { maskUrl } from '../pg/secrets.js';
import { exportSnapshot, openSnapshotSession } from '../pg/snapshot.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { selectTables } from '../table-spec/table-set.js';
import { takeRunLock } from '../state/run-lock.js';
import { lastUnfinishedRun, recordRunEnd, recordRunResumed, recordRunStart, type UnfinishedRun } from '../state/runs.js';
import { prepareTarget } from './preflight.js';
import { checkResumeFiles } from './resume-files.js';
import { runSettings, type RunOptions, type RunSettings } from './options.js';
import { newRunSummary, timeAndMemory, writeSummary, type RunSummary } from './summary.js';
import { runTables } from './table-runner.js';

/** --resume continues a stored run as it was: other tables or another folder are a mistake, not a wish. */
function checkSameRun(settings: RunSettings, stored: UnfinishedRun): void {
  const named = [...(settings.tables ?? [])].sort();
  const sameTables = named.length === 0 || named.join(',') === [...stored.tables].sort().join(',');
  const sameFolder = !settings.reportDirGiven || settings.reportDir === path.resolve(stored.reportDir);
  if (sameTables && sameFolder) return;
  throw new CopiarError(
    'USO_INVALIDO',
    `--resume continúa la ejecución ${stored.id} tal como empezó (tablas ${stored.tables.join(', ')}; informe en ${path.resolve(stored.reportDir)}): quite ${sameTables ? '--report-dir' : '--table'}${sameTables || sameFolder ? '' : ' y --report-dir'}, o lance una ejecución nueva sin --resume.`,
  );
}

/** Which run this is: a new one, or the unfinished one being resumed with its own settings. */
interface RunRecord {
  runId: number;
  /** Tables whose rows copiar-tablas did not write, replaced because of --replace. */
  replaced: string[];
  specs: AnyTableSpec[];
  reportDir: string;
  rangeRows: number;
}

async function startOrResumeRun(settings: RunSettings, requested: AnyTableSpec[], source: pg.ClientBase, lockSession: pg.ClientBase): Promise<RunRecord> {
  const resumed = settings.resume ? await lastUnfinishedRun(lockSession) : null;
  if (settings.resume && resumed === null) throw new CopiarError('USO_INVALIDO', 'No hay ninguna ejecución sin terminar que continuar: lance la migración sin --resume.');
  if (resumed !== null) checkSameRun(settings, resumed);
  const specs = resumed === null ? requested : selectTables(settings.catalog, resumed.tables);
  if (resumed !== null) {
    checkWritableDir(resumed.reportDir, 'carpeta del informe');
    await checkResumeFiles(lockSession, resumed.id, resumed.reportDir);
  }
  const replaced = await prepareTarget(source, lockSession, settings.catalog, specs, { replace: settings.replace === true, triggers: settings.triggers });
  if (resumed === null) {
    const runId = await recordRunStart(lockSession, specs.map((s) => s.target), settings.reportDir, settings.rangeRows);
    return { runId, replaced, specs, reportDir: settings.reportDir, rangeRows: settings.rangeRows };
  }
  await recordRunResumed(lockSession, resumed.id);
  return { runId: resumed.id, replaced, specs, reportDir: resumed.reportDir, rangeRows: resumed.rangeRows };
}

/**
 * A whole run: checks before any write (tables, source columns, target shapes, the run
 * lock), one exported snapshot for every source read, then the tables in load order,
 * `jobs` copies at a time, a table starting once the tables its lookups read are done.
 * With `resume`, the last unfinished run continues: finished tables are kept and a
 * table in ranges goes on from its last committed range.
 */
export async function migrate(options: RunOptions): Promise<RunSummary> {
  const settings = runSettings(options);
  // An unknown table is refused before anything connects.
  const requested = selectTables(settings.catalog, settings.tables);
  if (!settings.resume) checkWritableDir(settings.reportDir, 'carpeta del informe');
  const emit = settings.onEvent ?? (() => undefined);
  // The run also stops itself, as on Ctrl-C, when the disk of the report folder fills up.
  const stopper = new AbortController();
  const signal = settings.signal ? AbortSignal.any([settings.signal, stopper.signal]) : stopper.signal;
  const stopRun = (reason: CopiarError): void => {
    if (!signal.aborted) stopper.abort(reason);
  };
  const started = performance.now();
  const summary = newRunSummary(settings.reportDir, new Date());
  let coordinator: pg.Client | undefined;
  let lockSession: pg.Client | undefined;
  // Sessions handed from table to table: the target's now, the source's once the snapshot is taken.
  const targetSessions = new IdleSessions(() => connect(settings.target));
  let sourceSessions: IdleSessions | undefined;
  try {
    // Both at once: on a hosted server each session costs a handshake and a few round trips.
    [coordinator, lockSession] = await connectAll([settings.source, settings.target]);
    await takeRunLock(lockSession);
    const run = await startOrResumeRun(settings, requested, coordinator, lockSession);
    summary.report_dir = run.reportDir;
    if (run.replaced.length > 0) summary.replaced = run.replaced;
    const snapshot = await exportSnapshot(coordinator, settings.snapshot);
    sourceSessions = new IdleSessions(() => openSnapshotSession(settings.source, snapshot));
    summary.snapshot = snapshot;
    // The target answers meanwhile; the source session takes its two questions in turn.
    const targetIdentity = databaseIdentity(lockSession);
    targetIdentity.catch(() => undefined);
    const estimates = await tableEstimates(coordinator, run.specs.map((s) => s.source.table));
    const estimatedRows = Object.fromEntries(run.specs.map((spec, i) => [spec.target, estimates[i]!.rows]));
    const sameDatabase = (await databaseIdentity(coordinator)) === (await targetIdentity);
    emit({ type: 'run_start', tables: run.specs.map((s) => s.target), reportDir: run.reportDir, estimatedRows, source: maskUrl(settings.sourceUrl), target: maskUrl(settings.targetUrl), sameDatabase });
    emit({ type: 'snapshot', snapshot });
    await settings.onSnapshot?.(snapshot);
    const limiter = new Limiter(settings.jobs);
    summary.ok = await runTables({ settings: { ...settings, signal }, ...run, snapshot, coordinator, lockSession, lockSessionTurns: new OneAtATime(), targetSessions, sourceSessions, limiter, summary, estimatedRows, emit, stopRun });
    summary.stopped = signal.aborted;
    if (signal.aborted) summary.stop_reason = stopError(signal).message;
    await recordRunEnd(lockSession, run.runId, summary.ok ? 'completada' : summary.stopped ? 'detenida' : 'fallida', summary.tables).catch(() => undefined);
  } finally {
    await Promise.all([targetSessions.close(), sourceSessions?.close()]);
    await closeQuietly(coordinator);
    await closeQuietly(lockSession);
  }
  ({ seconds: summary.seconds, peak_rss_mb: summary.peak_rss_mb } = timeAndMemory(started));
  emit({ type: 'run_done', summary });
  writeSummary(summary.report_dir, summary, settings.resumeHint);
  return summary;
}
