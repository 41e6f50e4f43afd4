import { CopiarError } from '../../errors.js';
import { migrateAndFollow } from '../../run/follow-run.js';
import type { CommandContext } from '../context.js';
import { FollowPrinter, followStopped } from '../render/follow.js';
import { jsonRecord } from '../render/json-events.js';
import { runFromArguments } from './run-options.js';

/** --follow: the bulk copy in the slot's snapshot, then the source's changes until stopped. */
export async function followCommand(context: CommandContext): Promise<number> {
  const { io } = context;
  const { options, mode, stop } = runFromArguments(context);
  const followPrinter = mode === 'tty' || mode === 'lines' ? new FollowPrinter(mode === 'tty', io.stderr) : null;
  const result = await migrateAndFollow({
    ...options,
    onFollowProgress: (p) => {
      if (mode === 'json') context.out(JSON.stringify(jsonRecord('follow_progress', { applied_lsn: p.appliedLsn, lag_bytes: p.lagBytes, lag_seconds: Number(p.lagSeconds.toFixed(3)), retained_wal_bytes: p.retainedBytes, transactions: p.transactions, changes: p.changes })));
      else followPrinter?.progress(p);
    },
    onFollowRetry: (attempt, waitMs, message) => {
      if (mode === 'json') context.out(JSON.stringify(jsonRecord('follow_retry', { attempt, wait_ms: waitMs, message })));
      else if (mode !== 'quiet') {
        followPrinter?.clear();
        io.stderr.write(`seguimiento: se cortó el flujo de cambios (${message}); reintento ${attempt} en ${Math.round(waitMs / 1000)} s desde lo último aplicado\n`);
      }
    },
  }).finally(stop.release);
  if (result.follow === null) return result.summary?.ok === false ? 1 : 0;
  followPrinter?.clear();
  const follow = result.follow;
  if (mode === 'json') context.out(JSON.stringify(jsonRecord('follow_done', { lsn: follow.lsn, transactions: follow.transactions, changes: follow.changes, seconds: Number(follow.seconds.toFixed(3)) })));
  else if (mode !== 'quiet') io.stderr.write(followStopped(follow) + '\n');
  // A follow ends only when stopped: the stop is its normal end, and the slot stays for the cutover.
  if (!stop.signal.aborted) throw new CopiarError('SEGUIMIENTO_FALLIDO', 'el seguimiento terminó sin que se le pidiera');
  return 0;
}
