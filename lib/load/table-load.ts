import type pg from 'pg';
import type { CopyCounts } from '../engine/counts.js';
import type { RejectsByReason } from '../rejects/reject-csv.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import type { Limiter } from './limiter.js';
import type { ProgressOptions } from './progress.js';

/**
 * Above this many rows a table commits its rows first and builds its indexes after, in
 * other sessions: the next table copies meanwhile, and a stop during the builds keeps the
 * rows. (At 20M two sessions built mensajes' indexes in about the time one took, since
 * PostgreSQL builds each with its own parallel workers: 104.6 s side by side, 105.9 s one
 * after the other inside the load's transaction.) A smaller table loads in one
 * transaction, rows and indexes, and a failure keeps its previous content.
 */
export const LARGE_TABLE_ROWS = 4_000_000;

/**
 * With no time limit a table is not cut: only a table emptied in the same transaction
 * takes COPY FREEZE, and every later range leaves pages whose hint bits the index builds
 * then set, rewriting each page (with checksums, a full-page image each). 20M mensajes on
 * one server: 5 ranges of 4M 278.4 s (1.98M full-page images), one frozen range 189.4 s.
 * What it costs: a stop during that table's copy keeps none of its rows (the indexes
 * come after the commit, so a stop during them keeps the rows).
 */
export const WHOLE_TABLE_ROWS = Number.MAX_SAFE_INTEGER;

/** Everything one table's load needs from the run. */
export interface TableLoad {
  spec: AnyTableSpec;
  runId: number;
  reportDir: string;
  /** The table's own target session. */
  target: pg.ClientBase;
  /** A source session inside the run's snapshot (one per range attempt). */
  openSource: () => Promise<pg.Client>;
  /** Done with a source session: `reusable` when its reads ended well, else it is closed. */
  releaseSource: (client: pg.Client, reusable: boolean) => Promise<void>;
  /** Opens another target session, for ranges copied side by side. */
  openTarget: () => Promise<pg.Client>;
  /** The catalog's row estimate for the source table, read once at the run's start. */
  estimatedRows: number;
  /** Rows per primary-key range of a table that commits its rows before its indexes. */
  rangeRows: number;
  /** Tables larger than this or than rangeRows commit their rows before their indexes are built. */
  largeTableRows: number;
  /** Sessions that build a table in ranges' indexes side by side, once its rows are in. */
  indexSessions?: number;
  /** Shared with the run: extra range workers copy only when it has a slot for them. */
  limiter?: Limiter;
  /** Tables this run loads after this one (their foreign keys are re-validated then). */
  reloadedLater: ReadonlySet<string>;
  /** The table's triggers do not fire for the rows copied (--triggers skip). */
  skipTriggers?: boolean;
  signal?: AbortSignal;
  progress?: ProgressOptions;
  /**
   * Called once every row is committed and only the table's indexes and keys remain
   * (a table in ranges): the run may start the next table's copy meanwhile.
   */
  onRowsIn?: () => void;
}

export interface TableResult extends CopyCounts {
  table: string;
  /** Copy, keys and indexes, commit. */
  seconds: number;
  /** The COPY streams alone. */
  copySeconds: number;
  /** Keys, indexes and foreign keys rebuilt after the data. */
  indexSeconds: number;
  analyzeSeconds: number;
  rejectFile: string;
  /** Rejected rows of each motivo, as counted in the reject file. */
  rejectsByReason: RejectsByReason;
  /** Ranges copied (1 for an atomic table); of those, how many an earlier run had committed. */
  ranges: number;
  rangesResumed: number;
}
