import { rmSync } from 'node:fs';
import path from 'node:path';
import type { RawRejection } from '../engine/row-engine.js';
import type { RejectSink } from '../engine/table-transform.js';
import { makePrivateDir } from '../private-files.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { rangeSpoolPath, rejectCsvPath, tableSpoolPath } from './paths.js';
import { writeRejectCsv, type RejectsByReason } from './reject-csv.js';
import { SpoolWriter } from './spool.js';

/**
 * Where a copy's rejected rows go. During the copy they only go to a spool (spool.ts).
 * Closing an atomic table's file writes `rejects/<tabla>.csv` from its spool, while the
 * caller has the server build the indexes; a range's spool is kept as it is until the
 * table's final commit, and turned into the CSV with the others (range-spools.ts).
 */
export class RejectFile implements RejectSink {
  private readonly spool: SpoolWriter;
  /** The table's CSV; a range's spool only becomes part of it with the others. */
  readonly csvPath: string;
  private readonly ownsCsv: boolean;
  private closing: Promise<void> | null = null;
  /** Once closed, an atomic table's rejected rows of each motivo. */
  byReason: RejectsByReason = {};

  /** An atomic table's reject file (`range` undefined), or one range's spool. */
  constructor(reportDir: string, private readonly spec: AnyTableSpec, options: { range?: number } = {}) {
    const spool = options.range === undefined ? tableSpoolPath(reportDir, spec.target) : rangeSpoolPath(reportDir, spec.target, options.range);
    makePrivateDir(path.dirname(spool));
    this.spool = new SpoolWriter(spool);
    this.csvPath = rejectCsvPath(reportDir, spec.target);
    this.ownsCsv = options.range === undefined;
  }

  write(rejection: RawRejection): void {
    this.spool.write(rejection.reason, rejection.detail, rejection.row);
  }

  ready(): Promise<void> | null {
    return this.spool.ready();
  }

  /** Ends the spool and, but for a range, writes the CSV; once, however many times it is called. */
  close(): Promise<void> {
    return (this.closing ??= this.finish());
  }

  private async finish(): Promise<void> {
    await this.spool.close();
    if (!this.ownsCsv) return;
    this.byReason = await writeRejectCsv(this.csvPath, this.spec, [this.spool.path]);
    rmSync(this.spool.path);
  }
}
