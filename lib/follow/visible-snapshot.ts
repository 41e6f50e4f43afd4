import type pg from 'pg';
import { inOneTrip } from '../pg/one-trip.js';

/**
 * Opens the source's read for a batch in a snapshot that sees every transaction of it.
 * The stream sends a commit once its WAL is flushed; other sessions see the transaction
 * only when its backend ends it, a moment later (and, with a synchronous standby, once the
 * standby answers). A batch read in between missed the change and was acknowledged: lost
 * for good. So the read starts again, a little later each time, until it sees them all,
 * or until `signal` stops the follow (false: nothing was read).
 */
export async function beginVisibleRead(source: pg.ClientBase, xids: readonly number[], signal?: AbortSignal): Promise<boolean> {
  for (let waitMs = 2; ; waitMs = Math.min(waitMs * 2, 500)) {
    // The first query of the transaction takes its snapshot: the second of this trip.
    const [, { rows }] = await inOneTrip<{ xmax: string; xip: string[] }>(source, [
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      'SELECT txid_snapshot_xmax(s)::text AS xmax, ARRAY(SELECT txid_snapshot_xip(s))::text[] AS xip FROM txid_current_snapshot() s',
    ]);
    if (seesAll(BigInt(rows[0]!.xmax), new Set(rows[0]!.xip), xids)) return true;
    await source.query('COMMIT');
    // A stop does not wait for a standby that may never answer: the batch is read again on resume.
    if (signal?.aborted === true) return false;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/**
 * Whether a snapshot (its xmax and running ids, with epoch) sees every committed
 * transaction of `xids` (32-bit, from the stream): each precedes xmax, as PostgreSQL
 * compares ids modulo 2^32, and is not running.
 */
export function seesAll(xmax: bigint, running: ReadonlySet<string>, xids: readonly number[]): boolean {
  const xmax32 = Number(xmax & 0xffffffffn);
  for (const xid of xids) {
    const behind = (xid - xmax32) | 0;
    if (behind >= 0) return false;
    if (running.has(String(xmax + BigInt(behind)))) return false;
  }
  return true;
}
