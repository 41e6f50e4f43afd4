import type pg from 'pg';
import { standaloneIndexSql } from '../schema/ddl.js';
import { CopiarError } from '../errors.js';
import { inTransaction } from '../pg/transaction.js';
import { throwIfStopped } from './load-transaction.js';
import { LOCK_WAIT_MS, lockForLoad } from './table-locks.js';
import type { TableLoad } from './table-load.js';

/**
 * A table in ranges has its rows committed before its last transaction, so its indexes
 * need not be built one after the other in it: `sessions` target sessions build them
 * side by side (each CREATE INDEX commits on its own, IF NOT EXISTS, so a stop or a
 * retry takes up where it was), and the last transaction only turns the unique ones
 * into the keys. A stop cancels the builds in flight.
 */
export async function buildIndexesSideBySide(load: TableLoad, sessions: number, onStep: (done: number, total: number) => void): Promise<void> {
  // Whoever holds the table now is named (TABLA_BLOQUEADA) before any build queues behind it.
  await inTransaction(load.target, () => lockForLoad(load.target, load.spec));
  const queue = standaloneIndexSql(load.spec);
  const total = queue.length;
  let started = 0;
  let failure: unknown;
  const pids = new Set<number>();
  // The table's own session is idle meanwhile: it asks the server to cancel the builds.
  const cancel = (): void => void load.target.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [[...pids]]).catch(() => undefined);
  load.signal?.addEventListener('abort', cancel, { once: true });
  const work = async (): Promise<void> => {
    let client: pg.Client | undefined;
    try {
      client = await load.openTarget();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      pids.add(pid);
      // Never queued for long behind another session's lock: it would block the application too.
      await client.query(`SET lock_timeout = ${LOCK_WAIT_MS}`);
      while (failure === undefined && queue.length > 0) {
        throwIfStopped(load.signal);
        onStep(started++, total);
        await client.query(queue.shift()!);
      }
    } catch (error) {
      failure ??=
        (error as { code?: string }).code === '55P03'
          ? new CopiarError('TABLA_BLOQUEADA', `${load.spec.target}: otra sesión tiene bloqueada la tabla mientras se construyen sus índices; se reintenta sin bloquear a la aplicación mientras tanto`, { cause: error })
          : error;
    } finally {
      await client?.end().catch(() => undefined);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(sessions, total)) }, work));
  } finally {
    load.signal?.removeEventListener('abort', cancel);
  }
  throwIfStopped(load.signal);
  if (failure !== undefined) throw failure;
}
