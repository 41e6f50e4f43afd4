import type pg from 'pg';
import { sumCounts } from '../engine/counts.js';
import { CopiarError } from '../errors.js';
import { isDiskFull } from '../private-files.js';
import { copyTable } from '../load/copy-table.js';
import type { Limiter } from '../load/limiter.js';
import type { TableResult } from '../load/table-load.js';
import { closeQuietly, connect } from '../pg/connection.js';
import { openedAhead } from '../pg/opened-ahead.js';
import type { IdleSessions } from '../pg/idle-sessions.js';
import type { OneAtATime } from '../pg/one-at-a-time.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { dependenciesOf } from '../table-spec/table-set.js';
import { tableLoadState } from '../state/loads.js';
import type { RunEvent } from './events.js';
import { describeTableFailure, operatorMessage } from './failure.js';
import type { RunSettings } from './options.js';
import { withRetries } from './retry.js';
import { failedSummary, notStartedSummary, tableSummary, type KeptRanges, type RunSummary } from './summary.js';

/** What the tables of a run share once the checks passed and the snapshot is taken. */
export interface RunContext {
  settings: RunSettings;
  /** The run's tables, in load order. */
  specs: AnyTableSpec[];
  runId: number;
  reportDir: string;
  rangeRows: number;
  snapshot: string;
  /** The source session that holds the snapshot open. */
  coordinator: pg.ClientBase;
  /** The target session that holds the run lock. */
  lockSession: pg.ClientBase;
  /** The tables' reads of their state on the lock session, one at a time. */
  lockSessionTurns: OneAtATime;
  /** Target sessions a table hands to the next once its load ended well. */
  targetSessions: IdleSessions;
  /** Source sessions in the run's snapshot, handed on the same way. */
  sourceSessions: IdleSessions;
  limiter: Limiter;
  summary: RunSummary;
  /** The catalog's row estimate of each table's source, read once for the whole run. */
  estimatedRows: Record<string, number>;
  emit: (event: RunEvent) => void;
  /** Stops the whole run, as Ctrl-C does, for a reason that no table can get past. */
  stopRun: (reason: CopiarError) => void;
}

/**
 * Every table of the run, each starting once the tables it reads are done; with one job,
 * in load order, one copy at a time. A table in ranges gives up its job once its rows
 * are in: the next table copies while the server builds its indexes. True when every
 * table finished.
 */
export async function runTables(context: RunContext): Promise<boolean> {
  const done = new Map<string, Promise<boolean>>();
  for (const spec of context.specs) {
    let rowsIn = (): void => undefined;
    const copied = new Promise<void>((resolve) => (rowsIn = resolve));
    const finished = runTable(context, spec, done, rowsIn);
    done.set(spec.target, finished);
    if (context.settings.jobs === 1) await Promise.race([copied, finished]);
  }
  return (await Promise.all(done.values())).every(Boolean);
}

async function runTable(context: RunContext, spec: AnyTableSpec, done: ReadonlyMap<string, Promise<boolean>>, rowsIn: () => void): Promise<boolean> {
  const dependencies = dependenciesOf(spec).filter((d) => done.has(d));
  const results = await Promise.all(dependencies.map((d) => done.get(d)!));
  const failed = dependencies.find((_, i) => !results[i]);
  if (failed !== undefined && context.settings.signal?.aborted !== true) {
    const message = `${spec.target} no se migró porque falló ${failed}, de la que depende.`;
    context.summary.tables[spec.target] = failedSummary(message);
    context.emit({ type: 'table_failed', table: spec.target, code: 'DEPENDENCIA_FALLIDA', message, stopped: false });
    return false;
  }
  await context.limiter.acquire();
  let holding = true;
  const giveUpJob = (): void => {
    if (holding) context.limiter.release();
    holding = false;
    rowsIn();
  };
  try {
    return await loadTable(context, spec, giveUpJob);
  } catch (caught) {
    const { settings } = context;
    const error = isDiskFull(caught) || isDiskFull((caught as Error | null)?.cause) ? diskFull(context.reportDir, caught) : caught;
    if (error !== caught) context.stopRun(error as CopiarError);
    const failure = describeTableFailure(error, { stopped: settings.signal?.aborted === true, retries: settings.retries, secrets: [settings.sourceUrl, settings.targetUrl], resumeHint: settings.resumeHint });
    context.summary.tables[spec.target] = failedSummary(failure.message, failure.stopped ? 'stopped' : 'failed', await keptRanges(context, spec));
    context.emit({ type: 'table_failed', table: spec.target, code: failure.code, message: failure.message, ...(failure.sqlstate ? { sqlstate: failure.sqlstate } : {}), stopped: failure.stopped });
    return false;
  } finally {
    giveUpJob();
  }
}

/** The committed ranges of a table in ranges that did not finish; none when it loads atomically. */
async function keptRanges(context: RunContext, spec: AnyTableSpec): Promise<KeptRanges | undefined> {
  const state = await context.lockSessionTurns.run(() => tableLoadState(context.lockSession, context.runId, spec.target)).catch(() => null);
  if (state?.status !== 'cargando' || state.boundaries === null) return undefined;
  return { ...sumCounts(state.doneRanges.values()), ranges: state.boundaries.length + 1, rangesDone: state.doneRanges.size };
}

function diskFull(reportDir: string, cause: unknown): CopiarError {
  return new CopiarError('DISCO_LLENO', `detenido porque se llenó el disco de la carpeta del informe (${reportDir}): libere espacio`, { cause });
}

/**
 * A table finished by the run being resumed is kept; a table the run did not reach
 * before a stop is left for --resume; any other is copied, with retries. True when the
 * table is in.
 */
async function loadTable(context: RunContext, spec: AnyTableSpec, onRowsIn: () => void): Promise<boolean> {
  const { settings, emit } = context;
  const previous = await context.lockSessionTurns.run(() => tableLoadState(context.lockSession, context.runId, spec.target));
  if (previous?.status === 'completa') {
    const result = previous.summary as TableResult;
    context.summary.tables[spec.target] = { ...tableSummary(result), resumed: true };
    emit({ type: 'table_done', result, kept: true });
    return true;
  }
  if (settings.signal?.aborted === true) {
    context.summary.tables[spec.target] = notStartedSummary();
    emit({ type: 'table_not_started', table: spec.target });
    return false;
  }
  emit({ type: 'table_start', table: spec.target, estimatedRows: context.estimatedRows[spec.target] ?? 0 });
  const result = await withRetries(() => copyOnce(context, spec, onRowsIn), {
    retries: settings.retries,
    signal: settings.signal,
    onRetry: (attempt, waitMs, error) =>
      emit({ type: 'table_retry', table: spec.target, attempt, waitMs, message: operatorMessage(error, [settings.sourceUrl, settings.targetUrl]) }),
  });
  context.summary.tables[spec.target] = tableSummary(result);
  emit({ type: 'table_done', result });
  return true;
}

async function copyOnce(context: RunContext, spec: AnyTableSpec, onRowsIn: () => void): Promise<TableResult> {
  const { settings } = context;
  // The table's first source session opens with its target session, not after it: on a
  // hosted server each is a handshake and a few round trips away.
  const sources = openedAhead(
    () => context.sourceSessions.take(),
    (unused) => context.sourceSessions.giveBack(unused),
  );
  let target: pg.Client | undefined;
  try {
    target = await context.targetSessions.take();
    const result = await copyTable({
      spec,
      runId: context.runId,
      reportDir: context.reportDir,
      target,
      openSource: sources.take,
      releaseSource: async (client, reusable) => (reusable ? context.sourceSessions.giveBack(client) : closeQuietly(client)),
      openTarget: () => connect(settings.target),
      estimatedRows: context.estimatedRows[spec.target] ?? 0,
      rangeRows: context.rangeRows,
      largeTableRows: settings.largeTableRows,
      limiter: context.limiter,
      skipTriggers: settings.triggers === 'skip',
      // Two at least: the server builds an index on one core.
      indexSessions: Math.max(2, settings.jobs),
      reloadedLater: new Set(context.specs.slice(context.specs.indexOf(spec) + 1).map((s) => s.target)),
      signal: settings.signal,
      progress: { onProgress: (progress) => context.emit({ type: 'table_progress', ...progress }), intervalMs: settings.progressIntervalMs },
      onRowsIn,
    });
    // Committed and analyzed: the next table may use the session as it is.
    context.targetSessions.giveBack(target);
    target = undefined;
    return result;
  } finally {
    await closeQuietly(target);
    await sources.dispose();
  }
}
