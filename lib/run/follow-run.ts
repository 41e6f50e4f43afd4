import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { preparedJoins, seedValues, type AppliedTable } from '../follow/apply.js';
import { seedGroups } from '../follow/groups.js';
import { followsByGroup } from '../follow/table-follow-kinds.js';
import { followChanges, type FollowLoopOptions, type FollowProgress, type FollowResult } from '../follow/follower.js';
import { FOLLOW_NAME, followProblems, followSlot } from '../follow/requirements.js';
import { createFollowStart, dropFollow, type FollowStart } from '../follow/slot.js';
import { closeQuietly, connect, openReplication, type Endpoint } from '../pg/connection.js';
import { openSnapshotSession } from '../pg/snapshot.js';
import { inTransaction } from '../pg/transaction.js';
import { ensureFollowState, forgetFollow, readFollow, recordFollowStart, type FollowRecord } from '../state/follow-state.js';
import { lastUnfinishedRun } from '../state/runs.js';
import { ensureStateSchema } from '../state/state-schema.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { selectTables } from '../table-spec/table-set.js';
import { migrate } from './migrate.js';
import { withRetries } from './retry.js';
import { runSettings, type RunOptions } from './options.js';
import type { RunSummary } from './summary.js';

export interface FollowRunOptions extends RunOptions {
  onFollowProgress?: (progress: FollowProgress) => void;
  onApplied?: (tables: AppliedTable[], lsn: string) => void;
  /** The stream broke and is started again after `waitMs`. */
  onFollowRetry?: (attempt: number, waitMs: number, message: string) => void;
  /** Tuning of the apply batches (follower.ts). */
  maxBatchChanges?: number;
  maxBatchMs?: number;
  /** Bytes of rows from the stream a batch keeps (follower.ts); for tests. */
  streamedBudgetBytes?: number;
}

export interface FollowRunResult {
  /** The bulk copy, when this run made or resumed one. */
  summary: RunSummary | null;
  /** The follow, when the bulk copy completed and following started. */
  follow: FollowResult | null;
}

/** Refuses a source that cannot be followed, with every reason at once, before anything is written; a resume, also without its slot. */
async function checkFollowable(source: Endpoint, specs: readonly AnyTableSpec[], resume: boolean): Promise<void> {
  let client: pg.Client | undefined;
  try {
    client = await connect({ ...source, role: 'origen', readOnly: true });
    const problems = await followProblems(client, specs, { resume });
    if (!resume || problems.length > 0) {
      // A pooler (Supavisor, PgBouncer) carries sessions but never replication.
      const replication = await openReplication(source).catch(() => null);
      if (replication === null) problems.push('el origen no acepta una conexión de replicación por esta URL: si pasa por un pooler, use la conexión directa (db.<proyecto>.supabase.co:5432)');
      else await closeQuietly(replication);
    }
    if (problems.length > 0) throw new CopiarError('SEGUIMIENTO_NO_POSIBLE', `No se puede seguir el origen: ${problems.join('; ')}.`);
    if (resume && (await followSlot(client)) === null) {
      throw new CopiarError('SEGUIMIENTO_INEXISTENTE', `El slot ${FOLLOW_NAME} ya no existe en el origen: el seguimiento no puede continuar sin perder cambios; empiece de nuevo con npx copiar-tablas rollback --yes y --follow.`);
    }
  } finally {
    await closeQuietly(client);
  }
}

/**
 * The slot and the publication, then every prepared join's values in the slot's snapshot
 * (the follower compares later values with them), and the follow's record in the target.
 */
async function startFollow(settings: ReturnType<typeof runSettings>, specs: readonly AnyTableSpec[]): Promise<FollowStart> {
  const start = await createFollowStart(settings.source, specs);
  let snapshotSession: pg.Client | undefined;
  let target: pg.Client | undefined;
  try {
    snapshotSession = await openSnapshotSession(settings.source, start.snapshot);
    target = await connect(settings.target);
    await ensureStateSchema(target);
    await ensureFollowState(target);
    const [session, state] = [snapshotSession, target];
    await inTransaction(state, async () => {
      for (const [table, join] of preparedJoins(specs)) await seedValues(session, state, table, join);
      for (const spec of specs.filter(followsByGroup)) await seedGroups(session, state, spec);
      await recordFollowStart(state, FOLLOW_NAME, followRecord(settings, start.lsn, specs));
    });
    return start;
  } catch (error) {
    await start.release();
    throw error;
  } finally {
    await closeQuietly(snapshotSession);
    await closeQuietly(target);
  }
}

function followRecord(settings: ReturnType<typeof runSettings>, lsn: string, specs: readonly AnyTableSpec[]): FollowRecord {
  return { lsn, tables: specs.map((s) => s.target), reportDir: settings.reportDir, skipTriggers: settings.triggers === 'skip' };
}

/** The follow recorded in the target, and whether its bulk copy is unfinished. */
export async function storedFollow(settings: ReturnType<typeof runSettings>): Promise<{ record: FollowRecord; unfinishedRun: boolean }> {
  let target: pg.Client | undefined;
  try {
    target = await connect(settings.target);
    const record = await readFollow(target, FOLLOW_NAME);
    if (record === null) throw new CopiarError('SEGUIMIENTO_INEXISTENTE', 'No hay ningún seguimiento que continuar en el destino: empiece uno con --follow (sin --resume).');
    return { record, unfinishedRun: (await lastUnfinishedRun(target)) !== null };
  } finally {
    await closeQuietly(target);
  }
}

/**
 * `--follow`: a bulk copy in the snapshot of a new slot, then the slot's changes applied
 * until stopped. With `resume`, an interrupted bulk copy is resumed first (the changes
 * since the slot make up for its later snapshot: every change recomputes from the
 * source as it is), then the stream goes on from the last applied position.
 */
export async function migrateAndFollow(options: FollowRunOptions): Promise<FollowRunResult> {
  const settings = runSettings(options);
  const resume = options.resume === true;
  let record: FollowRecord;
  let summary: RunSummary | null = null;
  if (resume) {
    const stored = await storedFollow(settings);
    record = stored.record;
    const specs = selectTables(settings.catalog, record.tables);
    // Also requires the slot: without it the changes since the last applied are lost.
    await checkFollowable(settings.source, specs, true);
    if (stored.unfinishedRun) summary = await migrate({ ...options, resume: true });
  } else {
    const specs = selectTables(settings.catalog, settings.tables);
    await checkFollowable(settings.source, specs, false);
    const start = await startFollow(settings, specs);
    record = followRecord(settings, start.lsn, specs);
    try {
      summary = await migrate({ ...options, reportDir: settings.reportDir, snapshot: start.snapshot, onSnapshot: () => start.release() });
    } catch (error) {
      // Refused before copying anything (a target check, the run lock): nothing to follow, nothing left on the source.
      await abandonFollow(settings);
      throw error;
    } finally {
      await start.release();
    }
  }
  if (summary !== null && !summary.ok) return { summary, follow: null };
  return { summary, follow: await followFrom(options, settings, record) };
}

async function abandonFollow(settings: ReturnType<typeof runSettings>): Promise<void> {
  await dropFollow(settings.source).catch(() => undefined);
  let target: pg.Client | undefined;
  try {
    target = await connect(settings.target);
    await forgetFollow(target, FOLLOW_NAME);
  } catch {
    // The target's record only matters with a slot, which is gone.
  } finally {
    await closeQuietly(target);
  }
}

/** Applies the stored follow's stream from its last applied position (cutover passes `drainTo`). */
export async function followFrom(options: FollowRunOptions, settings: ReturnType<typeof runSettings>, record: FollowRecord, extra: Partial<FollowLoopOptions> = {}): Promise<FollowResult> {
  let startLsn = record.lsn;
  let attempts = 0;
  // A lost connection or a restarting server on either side: the stream starts again after
  // the last applied position, which the target says (what was applied is not applied again).
  const attempt = async (): Promise<FollowResult> => {
    if (attempts++ > 0) startLsn = (await storedFollow(settings)).record.lsn;
    return followChanges({
      source: settings.source,
      target: settings.target,
      specs: selectTables(settings.catalog, record.tables),
      reportDir: record.reportDir,
      skipTriggers: record.skipTriggers,
      startLsn,
      signal: options.signal,
      onProgress: options.onFollowProgress,
      onApplied: options.onApplied,
      progressIntervalMs: options.progressIntervalMs,
      maxBatchChanges: options.maxBatchChanges,
      maxBatchMs: options.maxBatchMs,
      streamedBudgetBytes: options.streamedBudgetBytes,
      ...extra,
    });
  };
  try {
    return await withRetries(attempt, {
      retries: settings.retries,
      signal: options.signal,
      onRetry: (n, waitMs, error) => options.onFollowRetry?.(n, waitMs, (error as Error).message),
    });
  } catch (error) {
    if (error instanceof CopiarError) throw error;
    throw new CopiarError('SEGUIMIENTO_FALLIDO', `el seguimiento de cambios se cortó (${(error as Error).message}); lo aplicado se conserva: continúe con npx copiar-tablas --follow --resume`, { cause: error });
  }
}
