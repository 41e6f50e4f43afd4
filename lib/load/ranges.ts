import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { sumCounts } from '../engine/counts.js';
import { loadLookupRules } from '../lookups/target-lookups.js';
import { readPreparedJoin, type PreparedValues } from '../lookups/prepared-join.js';
import { quoteIdent } from '../pg/quote.js';
import { inTransaction } from '../pg/transaction.js';
import type { FastRule } from '../rules/types.js';
import { removeRangeSpools, writeRangesRejectCsv } from '../rejects/range-spools.js';
import { RejectFile } from '../rejects/reject-file.js';
import { dropBeforeLoad, restoreAfterLoad } from '../schema/rebuild.js';
import { recordRangeDone, recordRangedLoadStart, recordTableDone, tableLoadState, type ChildForeignKey, type RangeDone } from '../state/loads.js';
import { checkAccounts, copyRows, type CopyRowsOptions } from './copy-rows.js';
import { inLoadTransaction, throwIfStopped } from './load-transaction.js';
import { buildIndexesSideBySide } from './index-builds.js';
import { ProgressReporter } from './progress.js';
import { rangeBoundaries, rangeWhere } from './range-bounds.js';
import { lockForLoad } from './table-locks.js';
import { WHOLE_TABLE_ROWS, type TableLoad, type TableResult } from './table-load.js';

/** How the table is cut, and what is already in: read back from the state on a resume. */
interface Ranges {
  key: string;
  boundaries: string[];
  childForeignKeys: ChildForeignKey[];
  done: Map<number, RangeDone>;
}

/**
 * A large table, whole or in primary-key ranges: each range's rows and its checkpoint
 * commit in the same transaction, so after a crash or a stop the table continues from the
 * last committed range (--resume). Keys and indexes are built once, after the last range,
 * side by side. With no time limit the table is one range, all of it frozen.
 */
export async function copyInRanges(load: TableLoad, key: string): Promise<Omit<TableResult, 'analyzeSeconds'>> {
  const started = performance.now();
  const ranges = await startOrResume(load, key);
  const rangesResumed = ranges.done.size;
  const progress = new ProgressReporter(load.spec.target, load.progress ?? {}, () => sumCounts(ranges.done.values()), () => ({ done: ranges.done.size, total: ranges.boundaries.length + 1 }));
  const copier = new RangeCopier(load, ranges, await loadLookupRules(load.spec, load.target), progress);
  const pending = Array.from({ length: ranges.boundaries.length + 1 }, (_, i) => i).filter((i) => !ranges.done.has(i));
  await progress.during(async () => {
    // Nothing committed yet: the first range truncates, alone, before the others start.
    if (ranges.done.size === 0) await copier.copy(pending.shift()!, load.target, true);
    await copySideBySide(load, pending, (i, connection) => copier.copy(i, connection, false));
  });
  load.onRowsIn?.();
  return finish(load, ranges, started, rangesResumed, progress);
}

async function startOrResume(load: TableLoad, key: string): Promise<Ranges> {
  const { spec, target } = load;
  const previous = await tableLoadState(target, load.runId, spec.target);
  if (previous?.status === 'cargando' && previous.boundaries !== null) {
    return { key, boundaries: previous.boundaries, childForeignKeys: previous.childForeignKeys, done: previous.doneRanges };
  }
  const boundaries = load.rangeRows === WHOLE_TABLE_ROWS ? [] : await readBoundaries(load, key);
  // The table is emptied by the first range's own transaction, so that range can be
  // copied with FREEZE.
  const childForeignKeys = await inTransaction(target, async () => {
    await lockForLoad(target, spec);
    const saved = await dropBeforeLoad(target, spec);
    await recordRangedLoadStart(target, load.runId, spec.target, boundaries, saved);
    return saved;
  });
  return { key, boundaries, childForeignKeys, done: new Map() };
}

async function readBoundaries(load: TableLoad, key: string): Promise<string[]> {
  const source = await load.openSource();
  let read = false;
  try {
    const boundaries = await rangeBoundaries(source, load.spec, key, load.rangeRows);
    read = true;
    return boundaries;
  } finally {
    await load.releaseSource(source, read);
  }
}

/** Copies one range in its own transaction, with its reject spool and its checkpoint. */
class RangeCopier {
  // Every range reads the same snapshot, so the prepared join is built once per table.
  private prepared: Promise<PreparedValues | undefined> | undefined;

  constructor(
    private readonly load: TableLoad,
    private readonly ranges: Ranges,
    private readonly lookupRules: Record<string, FastRule>,
    private readonly progress: ProgressReporter,
  ) {}

  async copy(i: number, connection: pg.ClientBase, first: boolean): Promise<void> {
    throwIfStopped(this.load.signal);
    const inFlight = this.progress.held();
    try {
      this.ranges.done.set(i, await this.commitRange(i, connection, first, inFlight.watch));
    } finally {
      inFlight.settle();
    }
  }

  private commitRange(i: number, connection: pg.ClientBase, first: boolean, watch: CopyRowsOptions['watch']): Promise<RangeDone> {
    const { spec, runId, signal } = this.load;
    const rejects = new RejectFile(this.load.reportDir, spec, { range: i });
    return inLoadTransaction(this.load, connection, rejects, async (source) => {
      // The first range to commit empties the table in its own transaction: its rows go
      // in frozen (no later hint-bit rewrite of those pages), and a failure before it
      // commits leaves the previous content.
      if (first) {
        await lockForLoad(connection, spec, this.ranges.childForeignKeys.map((fk) => fk.table));
        await connection.query(`TRUNCATE ${quoteIdent(spec.target)}`);
      }
      this.prepared ??= readPreparedJoin(spec, source);
      const rows = await copyRows({
        spec,
        source,
        target: connection,
        rejects,
        lookupRules: this.lookupRules,
        prepared: await this.prepared,
        rangeWhere: rangeWhere(spec, this.ranges.key, this.ranges.boundaries, i),
        freeze: first,
        skipTriggers: this.load.skipTriggers,
        signal,
        watch,
      });
      checkAccounts(spec.target, rows, rows.serverRows);
      await rejects.close();
      const { serverRows: _, ...range } = rows;
      await recordRangeDone(connection, runId, spec.target, i, range);
      return range;
    });
  }
}

/**
 * The pending ranges, on the table's own connection and on as many more as the run's
 * limiter has slots for while work remains; each range still commits with its own
 * checkpoint, so a resume works the same.
 */
async function copySideBySide(load: TableLoad, pending: number[], copy: (i: number, connection: pg.ClientBase) => Promise<void>): Promise<void> {
  const queue = [...pending];
  let failure: unknown;
  const work = async (connection: pg.ClientBase): Promise<void> => {
    while (failure === undefined && queue.length > 0) {
      await copy(queue.shift()!, connection).catch((error: unknown) => {
        failure ??= error;
      });
    }
  };
  let runOut = (): void => undefined;
  const workRunsOut = new Promise<void>((resolve) => (runOut = resolve));
  const helper = async (limiter: NonNullable<TableLoad['limiter']>): Promise<void> => {
    if (!(await limiter.acquireBefore(workRunsOut))) return;
    try {
      if (failure !== undefined || queue.length === 0) return;
      const connection = await load.openTarget();
      try {
        await work(connection);
      } finally {
        await connection.end().catch(() => undefined);
      }
    } catch (error) {
      failure ??= error;
    } finally {
      limiter.release();
    }
  };
  const limiter = load.limiter;
  const helpers = limiter === undefined ? [] : Array.from({ length: Math.max(0, queue.length - 1) }, () => helper(limiter));
  await work(load.target);
  runOut();
  await Promise.all(helpers);
  if (failure !== undefined) throw failure;
}

/** The indexes side by side, then the table's last transaction: counts checked, keys over those indexes, the reject CSV written. */
async function finish(load: TableLoad, ranges: Ranges, started: number, rangesResumed: number, progress: ProgressReporter): Promise<Omit<TableResult, 'analyzeSeconds'>> {
  const { spec, target } = load;
  const counts = sumCounts(ranges.done.values());
  const copySeconds = [...ranges.done.values()].reduce((sum, r) => sum + r.seconds, 0);
  const count = ranges.boundaries.length + 1;
  const indexStarted = performance.now();
  // The server builds the indexes while this process writes the reject CSV from the
  // ranges' spools (at 5M rows, 394k rejects: 3 s that came after the builds).
  const rejectCsv = writeRangesRejectCsv(load.reportDir, spec, count);
  let result: Omit<TableResult, 'analyzeSeconds'>;
  try {
    await buildIndexesSideBySide(load, load.indexSessions ?? 1, progress.indexStep);
    result = await inTransaction(target, async () => {
      await lockForLoad(target, spec, ranges.childForeignKeys.map((fk) => fk.table));
      // The server's count of the whole table, against the sum of the ranges' counts.
      const { rows } = await target.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(spec.target)}`);
      checkAccounts(spec.target, counts, Number(rows[0]!.n));
      await restoreAfterLoad(target, spec, ranges.childForeignKeys, load.reloadedLater, progress.indexStep, { indexesBuilt: true });
      const indexSeconds = (performance.now() - indexStarted) / 1000;
      const { file, byReason } = await rejectCsv;
      const loaded = { table: spec.target, ...counts, copySeconds, indexSeconds, seconds: (performance.now() - started) / 1000, rejectFile: file, rejectsByReason: byReason, ranges: count, rangesResumed };
      await recordTableDone(target, load.runId, spec.target, { ...loaded, analyzeSeconds: 0 });
      return loaded;
    });
  } finally {
    // A retry writes the same file: this write must be over before the error goes up.
    await rejectCsv.catch(() => undefined);
  }
  // Only now: until the commit, a resume may need the spools again.
  removeRangeSpools(load.reportDir, spec.target, count);
  return result;
}
