import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { inTransaction } from '../pg/transaction.js';
import type { RejectFile } from '../rejects/reject-file.js';

/** The reason a run was stopped (signal, deadline), or a plain stop. */
export function stopError(signal: AbortSignal | undefined): CopiarError {
  const reason = signal?.reason instanceof CopiarError ? signal.reason : null;
  return reason ?? new CopiarError('DETENIDO', 'detenido');
}

export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw stopError(signal);
}

/**
 * One load transaction on `connection` with a source session of the run's snapshot: a
 * failure rolls the transaction back, closes the reject file and reports a stop as a
 * stop; the source session is always released (for another load once the transaction
 * committed, else closed). `body` ends with the work to commit.
 */
export async function inLoadTransaction<T>(
  load: { openSource: () => Promise<pg.Client>; releaseSource: (client: pg.Client, reusable: boolean) => Promise<void>; signal?: AbortSignal },
  connection: pg.ClientBase,
  rejects: RejectFile,
  body: (source: pg.Client) => Promise<T>,
): Promise<T> {
  // The source session is opened while the target's transaction begins: on a hosted
  // server each is a handshake and a few round trips away.
  const opening = load.openSource();
  // Its failure is met where the body awaits it; until then it must not count as unhandled.
  opening.catch(() => undefined);
  let source: pg.Client | undefined;
  let committed = false;
  try {
    // A lost commit is re-done by loading again; the WAL flush is not worth waiting for.
    const result = await inTransaction(
      connection,
      async () => {
        source = await opening;
        return body(source);
      },
      'BEGIN; SET LOCAL synchronous_commit = off',
    );
    committed = true;
    return result;
  } catch (error) {
    await rejects.close().catch(() => undefined);
    throw load.signal?.aborted === true ? stopError(load.signal) : error;
  } finally {
    // Opened even when the target's BEGIN failed first: closed all the same. After a
    // commit its reads all ended well, and another load may read on in its snapshot.
    source ??= await opening.catch(() => undefined);
    if (source) await load.releaseSource(source, committed);
  }
}
