import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { LogicalReplicationService, type Pgoutput } from 'pg-logical-replication';
import { closeQuietly, connectAll, type Endpoint } from '../pg/connection.js';
import { clientConfig } from '../pg/tls.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { applyBatch, applyContext, type AppliedTable, type ApplyContext } from './apply.js';
import { ChangeBatch } from './changes.js';
import { lsnAtLeast, lsnText, lsnValue } from './lsn.js';
import { recomputeSessions } from './recompute.js';
import { FOLLOW_NAME } from './requirements.js';
import { sourceIdColumns } from './table-follow-kinds.js';
import { StreamedPgoutput, type StreamedChange, type StreamedMessage } from './streamed-pgoutput.js';
import { streamedTables, type StreamedRows, type StreamedTable } from './streamed-rows.js';

/** Where a follow stands: sent with `follow_progress` events. */
export interface FollowProgress {
  /** The end of the last source transaction applied to the target. */
  appliedLsn: string;
  /** WAL the source has written since then. */
  lagBytes: number;
  /** How long ago the oldest change received and not yet applied was committed (0 when none waits). */
  lagSeconds: number;
  /** WAL the slot keeps on the source: what following costs production's disk. */
  retainedBytes: number;
  transactions: number;
  changes: number;
}

export interface FollowLoopOptions {
  source: Endpoint;
  target: Endpoint;
  /** In load order. */
  specs: readonly AnyTableSpec[];
  reportDir: string;
  /** The target tables' triggers do not fire for the applied changes (--triggers skip). */
  skipTriggers?: boolean;
  /** Apply what comes after this position (the slot's start, or the last applied). */
  startLsn: string;
  /** Aborting stops at a transaction boundary: what was received whole is applied first. */
  signal?: AbortSignal;
  /** Cutover: stop once everything the source wrote up to this position is applied. */
  drainTo?: string;
  onProgress?: (progress: FollowProgress) => void;
  onApplied?: (tables: AppliedTable[], lsn: string) => void;
  progressIntervalMs?: number;
  /** A batch is applied once it has this many changes, or has waited maxBatchMs. */
  maxBatchChanges?: number;
  maxBatchMs?: number;
  /** Bytes of rows from the stream a batch keeps at most (STREAMED_BUDGET_BYTES). */
  streamedBudgetBytes?: number;
}

export interface FollowResult {
  lsn: string;
  transactions: number;
  changes: number;
  /** drainTo was reached. */
  drained: boolean;
  seconds: number;
}

const keepText = (text: string): string => text;

/**
 * Values a batch keeps of the rows the stream brought (streamed-rows.ts); a batch of
 * 10,000 messages holds ~3 MB of them. Past this, rows are read at the source: one
 * source transaction of a million inserts is taken in whole.
 */
const STREAMED_BUDGET_BYTES = 8 * 1024 * 1024;

/** The value formats of connect()'s sessions, as startup options of the replication connection. */
const STREAM_TEXT_SETTINGS = '-c DateStyle=ISO,MDY -c extra_float_digits=3';

/**
 * Streams the slot's changes (pgoutput, through pg-logical-replication) and applies them
 * in batches of whole transactions (apply.ts). Changes are taken in as they arrive, also
 * while a batch is being applied, so the next batch is ready when the last one commits.
 * The slot is acknowledged only after the batch's commit on the target, so a crash loses
 * nothing: the stream starts again after the last recorded position, and what is read
 * twice recomputes to the same rows.
 */
class Follower {
  private readonly service: LogicalReplicationService;
  /** The stream, from connecting until the connection ends. */
  private subscription: Promise<void> = Promise.resolve();
  private paused = false;
  /**
   * The source transaction being received: its changes as they came, taken into the
   * pending batch once it commits (a batch per transaction, merged at its commit, cost
   * more than the rules at one change per transaction); `rowBytes`, those of its rows.
   */
  private current: { xid: number; changes: StreamedMessage[]; rowBytes: number } | null = null;
  /** Whole transactions received, to be applied next. */
  private pending: ChangeBatch;
  private pendingSince = 0;
  /** The batch being applied. */
  private inFlight: ChangeBatch | null = null;
  private pumping = false;
  private appliedLsn: string;
  /** What the server may forget: the last applied commit, or further when nothing waits. */
  private confirmedLsn: string;
  /** A keepalive's position, received with nothing pending but a batch in flight: confirmable once it commits. */
  private heldKeepalive: string | null = null;
  private drainReached = false;
  private transactions = 0;
  private changes = 0;
  private stopping = false;
  private finished = false;
  private timers: NodeJS.Timeout[] = [];
  private statsBusy = false;
  private readonly idColumns: Map<string, string>;
  private readonly streamedTables: Map<string, StreamedTable>;
  private readonly streamed: StreamedRows;
  private readonly batchMs: number;
  private readonly batchChanges: number;
  private readonly started = performance.now();
  private resolve!: (result: FollowResult) => void;
  private reject!: (error: unknown) => void;
  readonly done: Promise<FollowResult>;

  constructor(
    private readonly options: FollowLoopOptions,
    private readonly context: ApplyContext,
    private readonly stats: pg.Client,
  ) {
    this.idColumns = sourceIdColumns(options.specs);
    this.streamedTables = streamedTables(options.specs);
    this.streamed = { tables: new Set(this.streamedTables.keys()), budgetBytes: options.streamedBudgetBytes ?? STREAMED_BUDGET_BYTES };
    this.batchMs = options.maxBatchMs ?? 200;
    this.batchChanges = options.maxBatchChanges ?? 10_000;
    this.pending = this.newBatch();
    this.appliedLsn = options.startLsn;
    this.confirmedLsn = options.startLsn;
    context.sessions.onLongWrite = () => this.readDuringWrite();
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const base = clientConfig(options.source.url, options.source.sslCa, 'origen');
    // The walsender writes the rows' values as text (pgoutput) with its own settings: the
    // same as the source sessions' (connection.ts), so a row from the stream reads as the
    // same row read by a query.
    const config = { ...base, application_name: 'copiar-tablas', options: [base.options, STREAM_TEXT_SETTINGS].filter(Boolean).join(' ') };
    this.service = new LogicalReplicationService(config, { acknowledge: { auto: false, timeoutSeconds: 0 } });
    // A method and its arguments, not a closure per message: 200,000 messages per 100,000 changes.
    this.service.on('data', (_lsn: string, message: Pgoutput.Message) => this.guard(this.message, message as unknown as StreamedMessage));
    this.service.on('heartbeat', (lsn: string, _time: number, shouldRespond: boolean) => this.guard(this.keepalive, lsn, shouldRespond));
    this.service.on('error', (error: Error) => this.fail(error));
  }

  private newBatch(): ChangeBatch {
    return new ChangeBatch(this.idColumns, this.streamed);
  }

  start(): void {
    const plugin = new StreamedPgoutput({ protoVersion: 1, publicationNames: [FOLLOW_NAME] }, this.streamedTables);
    // Stopped while the stream was still connecting: the connection comes up after the stop and is ended then.
    this.service.on('start', () => {
      if (this.finished) void this.service.stop().catch(() => undefined);
    });
    this.subscription = this.service.subscribe(plugin, FOLLOW_NAME, this.options.startLsn).then(
      () => {
        if (!this.finished) this.fail(new Error('el origen cerró el flujo de cambios'));
      },
      (error: unknown) => this.fail(error),
    );
    // A batch is due batchMs after its first commit; checked every quarter of that, a wait
    // of up to a whole period came on top (at the start of a replay, the first batch began
    // at 285 ms instead of 220; at a steady load, 100 ms of lag on average).
    this.timers.push(setInterval(() => this.pump(), Math.max(10, this.batchMs / 4)));
    // A status update now and then: the server drops a receiver silent for wal_sender_timeout;
    // in a cutover each asks for a keepalive, which says how far the server has sent.
    this.timers.push(setInterval(() => void this.acknowledge(this.options.drainTo !== undefined), this.options.drainTo !== undefined ? 250 : 5_000));
    this.timers.push(setInterval(() => void this.report(), this.options.progressIntervalMs ?? 5_000));
    this.options.signal?.addEventListener('abort', () => this.stop(), { once: true });
    if (this.options.signal?.aborted) this.stop();
  }

  /** Whole transactions received so far are applied, then the follow ends. */
  private stop(): void {
    this.stopping = true;
    this.flow(false);
    this.pump();
  }

  /** Takes in what the stream brings, until the follow stops or reaches its drain point: what comes after is read again on resume. */
  private guard<A extends unknown[]>(take: (this: Follower, ...args: A) => void, ...args: A): void {
    if (this.finished || this.stopping || this.drainReached) return;
    try {
      take.apply(this, args);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Pauses or resumes the replication socket: the library's own flow control would reorder keepalives and data. */
  private flow(on: boolean): void {
    if (this.paused === !on) return;
    const stream = (this.service as unknown as { _connection?: { stream?: { pause?: () => void; resume?: () => void } } })._connection?.stream;
    if (on) stream?.resume?.();
    else stream?.pause?.();
    this.paused = !on;
  }

  /** The apply waits on its long write: the stream is read meanwhile, and from then on, up to the next batch's size. */
  private readDuringWrite(): void {
    if (this.stopping || this.inFlight === null) return;
    if (!this.nextBatchFull()) this.flow(true);
  }

  /** Received while a batch is applied: the next batch has its size, counting the transaction being received. */
  private nextBatchFull(): boolean {
    return (this.current?.changes.length ?? 0) + this.pending.changes >= this.batchChanges;
  }

  private message(message: StreamedMessage): void {
    switch (message.tag) {
      case 'relation':
        // Of the rows the library parses (tables not streamed) only the ids are read, as
        // text: pg's type parsers would build a Date or parse the JSON of every column.
        for (const column of message.columns) column.parser = keepText;
        return;
      case 'begin':
        this.current = { xid: message.xid, changes: [], rowBytes: 0 };
        return;
      case 'commit':
        break;
      default:
        if (this.current !== null) this.receive(this.current, message);
        // While a batch is applied the next one fills up to its size, then the socket waits:
        // a bounded follower, yet one source transaction is always taken in whole.
        if (this.inFlight !== null && this.nextBatchFull()) this.flow(false);
        return;
    }
    const transaction = this.current;
    this.current = null;
    if (this.pending.transactions === 0) this.pendingSince = performance.now();
    // StreamedPgoutput writes the position as PostgreSQL does (lsn.ts), ready to compare and record.
    this.pending.take(transaction?.xid, transaction?.changes ?? [], message.commitEndLsn, message.commitTimeMs);
    if (this.options.drainTo !== undefined && lsnAtLeast(this.pending.endLsn!, this.options.drainTo)) this.drainReached = true;
    if (this.pending.changes >= this.batchChanges || this.drainReached) this.pump();
  }

  /** One change of the transaction being received; its row dropped (read at the source) past the rows' budget. */
  private receive(transaction: { changes: StreamedMessage[]; rowBytes: number }, message: StreamedMessage): void {
    const change = message as StreamedChange;
    if (change.row !== undefined) {
      transaction.rowBytes += change.row.line.length;
      if (transaction.rowBytes > this.streamed.budgetBytes) delete change.row;
    }
    transaction.changes.push(message);
  }

  private keepalive(lsn: string, respond: boolean): void {
    if (this.current === null && this.pending.transactions === 0) {
      // All the server sent before this keepalive is received, and applied once the batch in
      // flight (if any) commits: confirm up to it then. Confirming only the last applied
      // commit would keep the source from shutting down (a walsender waits for its receiver
      // to confirm what it sent) and hold WAL for nothing.
      if (this.inFlight !== null) this.heldKeepalive = lsn;
      else if (lsnAtLeast(lsn, this.confirmedLsn)) this.confirmedLsn = lsn;
      // Everything up to the drain point has been sent, and all of it is received.
      if (this.options.drainTo !== undefined && lsnAtLeast(lsn, this.options.drainTo)) this.drainReached = true;
    }
    if (respond) void this.acknowledge(false);
    this.pump();
  }

  /** Applies the pending batch when it is due, one batch at a time, and finishes when asked to. */
  private pump(): void {
    if (this.pumping || this.finished) return;
    this.pumping = true;
    void (async () => {
      try {
        while (!this.finished) {
          const due = this.pending.changes >= this.batchChanges || performance.now() - this.pendingSince >= this.batchMs || this.stopping || this.drainReached;
          if (this.pending.transactions > 0 && due) await this.apply();
          else if (this.drainReached && this.pending.transactions === 0) this.finish(true);
          else if (this.stopping) this.finish(false);
          else break;
        }
      } catch (error) {
        this.fail(error);
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async apply(): Promise<void> {
    const batch = this.pending;
    this.pending = this.newBatch();
    this.inFlight = batch;
    // The next batch is read while the target writes this one's new rows (readDuringWrite).
    // Read from the apply's start, the stream came in a burst (libuv takes up to 32 chunks
    // at once) that held the answers to the first statements for 70–120 ms, the target idle
    // meanwhile; during the COPY the follower mostly waits (docs/performance-log.md, Following changes).
    if (!this.stopping) this.flow(!batch.hasNewStreamedRows());
    let tables: AppliedTable[] | null = [];
    try {
      if (batch.changes > 0) tables = await applyBatch(this.context, batch, this.options.signal);
    } finally {
      this.inFlight = null;
      // Paused only while a batch is in flight: a transaction larger than the limit is still received whole.
      if (!this.stopping) this.flow(true);
    }
    if (tables === null) {
      // Stopped while the source did not yet show the whole batch: nothing of it applied or confirmed.
      this.heldKeepalive = null;
      this.finish(false);
      return;
    }
    if (batch.changes > 0) this.options.onApplied?.(tables, batch.endLsn!);
    this.appliedLsn = batch.endLsn!;
    if (lsnAtLeast(this.appliedLsn, this.confirmedLsn)) this.confirmedLsn = this.appliedLsn;
    if (this.heldKeepalive !== null && lsnAtLeast(this.heldKeepalive, this.confirmedLsn)) this.confirmedLsn = this.heldKeepalive;
    this.heldKeepalive = null;
    this.transactions += batch.transactions;
    this.changes += batch.changes;
    await this.acknowledge(false);
  }

  private async acknowledge(ping: boolean): Promise<void> {
    if (this.finished) return;
    // The library reports the position given plus one byte; a walsender shutting down waits
    // until the reported position equals what it sent, exactly: so one byte less is given.
    const position = lsnValue(this.confirmedLsn);
    if (position === 0n) return;
    await this.service.acknowledge(lsnText(position - 1n), ping).catch(() => undefined);
  }

  private async report(): Promise<void> {
    if (this.statsBusy || this.finished || this.options.onProgress === undefined) return;
    this.statsBusy = true;
    try {
      const { rows } = await this.stats.query<{ lag: string; retained: string | null }>(
        `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS lag,
                (SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = $2) AS retained`,
        [this.appliedLsn, FOLLOW_NAME],
      );
      const oldest = this.inFlight?.oldestCommit ?? this.pending.oldestCommit;
      this.options.onProgress({
        appliedLsn: this.appliedLsn,
        lagBytes: Math.max(0, Number(rows[0]!.lag)),
        lagSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
        retainedBytes: Number(rows[0]!.retained ?? 0),
        transactions: this.transactions,
        changes: this.changes,
      });
    } catch {
      // Progress is a courtesy: a failed reading is not a failed follow.
    } finally {
      this.statsBusy = false;
    }
  }

  private finish(drained: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const result = { lsn: this.appliedLsn, transactions: this.transactions, changes: this.changes, drained, seconds: (performance.now() - this.started) / 1000 };
    void this.close().then(() => this.resolve(result));
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    void this.close().then(() => this.reject(error));
  }

  /**
   * Ends the replication connection before the follow ends, also when the stop came while
   * it was connecting. Left open, the walsender went on streaming: the slot stayed active
   * (a cutover in the same process could not drop it) and the source's shutdown waited a
   * minute for a confirmation that never came. A paused socket never sees its close.
   */
  private async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.flow(true);
    await bounded(this.service.stop().catch(() => undefined));
    await bounded(this.subscription);
  }
}

/** Waits for `promise`, or five seconds: a connection that does not close does not hold the follow's end. */
async function bounded(promise: Promise<unknown>): Promise<void> {
  let timeout: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, 5_000);
      timeout.unref();
    }),
  ]);
  clearTimeout(timeout);
}

/** Follows the slot from `startLsn` until stopped, drained (`drainTo`) or failed. */
export async function followChanges(options: FollowLoopOptions): Promise<FollowResult> {
  let source: pg.Client | undefined;
  let stats: pg.Client | undefined;
  let target: pg.Client | undefined;
  try {
    [source, stats, target] = await connectAll([
      { ...options.source, role: 'origen', readOnly: true },
      { ...options.source, role: 'origen', readOnly: true },
      { ...options.target, role: 'destino' },
    ]);
    const context = applyContext(recomputeSessions(source, target), options.specs, options.reportDir, options.skipTriggers === true);
    const follower = new Follower(options, context, stats);
    follower.start();
    return await follower.done;
  } finally {
    await closeQuietly(source);
    await closeQuietly(stats);
    await closeQuietly(target);
  }
}
