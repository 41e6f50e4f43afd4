import type pg from 'pg';
import { copyTable } from '../load/copy-table.js';
import type { Limiter } from '../load/limiter.js';
import { throwIfStopped } from '../load/load-transaction.js';
import type { TableResult } from '../load/table-load.js';
import { tableEstimate } from '../pg/catalog.js';
import { closeQuietly, connect } from '../pg/connection.js';
import { openSnapshotSession } from '../pg/snapshot.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { dependenciesOf } from '../table-spec/table-set.js';
import { tableLoadState } from '../state/loads.js';
import type { RunEvent } from './events.js';
import { describeTableFailure, operatorMessage } from './failure.js';
import type { RunSettings } from './options.js';
import { withRetries } from './retry.js';
import { failedSummary, tableSummary, type RunSummary } from './summary.js';

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
  limiter: Limiter;
  summary: RunSummary;
  emit: (event: RunEvent) => void;
}

/**
 * Every table of the run, each starting once the tables it reads are done; with one job,
 * exactly in load order, one after the other. True when every table finished.
 */
export async function runTables(context: RunContext): Promise<boolean> {
  const done = new Map<string, Promise<boolean>>();
  for (const spec of context.specs) {
    const finished = runTable(context, spec, done);
    done.set(spec.target, finished);
    if (context.settings.jobs === 1) await finished;
  }
  return (await Promise.all(done.values())).every(Boolean);
}

async function runTable(context: RunContext, spec: AnyTableSpec, done: ReadonlyMap<string, Promise<boolean>>): Promise<boolean> {
  const dependencies = dependenciesOf(spec).filter((d) => done.has(d));
  const results = await Promise.all(dependencies.map((d) => done.get(d)!));
  const failed = dependencies.find((_, i) => !results[i]);
  if (failed !== undefined) {
    const message = `${spec.target} no se migró porque falló ${failed}, de la que depende.`;
    context.summary.tables[spec.target] = failedSummary(message);
    context.emit({ type: 'table_failed', table: spec.target, code: 'DEPENDENCIA_FALLIDA', message });
    return false;
  }
  return context.limiter.run(async () => {
    try {
      await loadTable(context, spec);
      return true;
    } catch (error) {
      const { settings } = context;
      const failure = describeTableFailure(spec.target, error, { stopped: settings.signal?.aborted === true, retries: settings.retries, secrets: [settings.sourceUrl, settings.targetUrl] });
      context.summary.tables[spec.target] = failedSummary(failure.message, failure.stopped ? 'stopped' : 'failed');
      context.emit({ type: 'table_failed', table: spec.target, code: failure.code, message: failure.message, ...(failure.sqlstate ? { sqlstate: failure.sqlstate } : {}) });
      return false;
    }
  });
}

/** A table finished by the run being resumed is kept; any other is copied, with retries. */
async function loadTable(context: RunContext, spec: AnyTableSpec): Promise<void> {
  const { settings, emit } = context;
  const previous = await tableLoadState(context.lockSession, context.runId, spec.target);
  if (previous?.status === 'completa') {
    const result = previous.summary as TableResult;
    context.summary.tables[spec.target] = { ...tableSummary(result), resumed: true };
    emit({ type: 'table_done', result });
    return;
  }
  throwIfStopped(settings.signal);
  emit({ type: 'table_start', table: spec.target, estimatedRows: (await tableEstimate(context.coordinator, spec.source.table)).rows });
  const result = await withRetries(() => copyOnce(context, spec), {
    retries: settings.retries,
    signal: settings.signal,
    onRetry: (attempt, waitMs, error) =>
      emit({ type: 'table_retry', table: spec.target, attempt, waitMs, message: operatorMessage(error, [settings.sourceUrl, settings.targetUrl]) }),
  });
  context.summary.tables[spec.target] = tableSummary(result);
  emit({ type: 'table_done', result });
}

async function copyOnce(context: RunContext, spec: AnyTableSpec): Promise<TableResult> {
  const { settings } = context;
  let target: pg.Client | undefined;
  try {
    target = await connect(settings.target);
    return await copyTable({
      spec,
      runId: context.runId,
      reportDir: context.reportDir,
      target,
      openSource: () => openSnapshotSession(settings.source, context.snapshot),
      openTarget: () => connect(settings.target),
      rangeRows: context.rangeRows,
      limiter: context.limiter,
      reloadedLater: new Set(context.specs.slice(context.specs.indexOf(spec) + 1).map((s) => s.target)),
      signal: settings.signal,
      progress: { onProgress: (progress) => context.emit({ type: 'table_progress', ...progress }), intervalMs: settings.progressIntervalMs },
    });
  } finally {
    await closeQuietly(target);
  }
}
