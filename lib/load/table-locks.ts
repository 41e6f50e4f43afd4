import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { inOneTrip } from '../pg/one-trip.js';
import { quoteIdent } from '../pg/quote.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

/**
 * How long a load waits for a lock another session holds. While the tool waits, its
 * queued request blocks every application query on the table behind it; after this it
 * withdraws, says who holds the lock, and tries again (or stops, if asked to).
 */
export const LOCK_WAIT_MS = 5_000;

/** Another session holding a lock a load needs. */
export interface LockHolder {
  pid: number;
  application: string;
  state: string;
  since: string | null;
}

async function lockHolders(client: pg.ClientBase, tables: string[]): Promise<LockHolder[]> {
  const { rows } = await client.query<{ pid: number; application_name: string; state: string | null; since: string | null }>(
    `SELECT DISTINCT a.pid, a.application_name, a.state, to_char(a.query_start, 'YYYY-MM-DD HH24:MI:SS') AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted AND l.relation = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) AS t) AND a.pid <> pg_backend_pid()
      ORDER BY a.pid`,
    [tables],
  );
  return rows.map((r) => ({ pid: r.pid, application: r.application_name, state: r.state ?? 'desconocido', since: r.since }));
}

function describeHolders(holders: LockHolder[]): string {
  if (holders.length === 0) return 'otra sesión (ya la soltó)';
  return holders.map((h) => `la sesión ${h.pid} (${h.application || 'sin application_name'}, ${h.state}${h.since ? `, su consulta empezó ${h.since}` : ''})`).join(', ');
}

/**
 * Takes, at the start of a load transaction, every lock the load will need: the table
 * and the tables whose foreign keys point at it (their keys are dropped and restored),
 * and the tables it points at (its own keys are added). Waits LOCK_WAIT_MS at most; on
 * a timeout it names who holds them and fails with TABLA_BLOQUEADA, which the run
 * retries until it succeeds or is stopped. Once taken, nothing later in the
 * transaction waits behind another session.
 */
export async function lockForLoad(client: pg.ClientBase, spec: AnyTableSpec, savedChildren: readonly string[] = []): Promise<void> {
  const { rows } = await client.query<{ child: string }>(
    `SELECT DISTINCT conrelid::regclass::text AS child FROM pg_constraint WHERE contype = 'f' AND confrelid = $1::regclass AND conrelid <> confrelid`,
    [quoteIdent(spec.target)],
  );
  const exclusive = [quoteIdent(spec.target), ...new Set([...rows.map((r) => r.child), ...savedChildren])];
  const parents = [...new Set((spec.foreignKeys ?? []).map((fk) => quoteIdent(fk.references)))].filter((p) => !exclusive.includes(p));
  // The savepoint, the waits and the reset in one round trip: a LOCK that times out stops
  // the rest of the trip, and the rollback to the savepoint undoes the SET LOCAL with it.
  // Once taken, the locks are held to the end of the transaction: later statements wait
  // for nothing.
  try {
    await inOneTrip(client, [
      'SAVEPOINT copiar_tablas_bloqueos',
      `SET LOCAL lock_timeout = ${LOCK_WAIT_MS}`,
      `LOCK TABLE ${exclusive.join(', ')} IN ACCESS EXCLUSIVE MODE`,
      ...(parents.length > 0 ? [`LOCK TABLE ${parents.join(', ')} IN SHARE ROW EXCLUSIVE MODE`] : []),
      'RELEASE SAVEPOINT copiar_tablas_bloqueos',
      'SET LOCAL lock_timeout = DEFAULT',
    ]);
  } catch (error) {
    if ((error as { code?: string }).code !== '55P03') throw error;
    // The transaction lives on past the savepoint: ask who holds the tables.
    await client.query('ROLLBACK TO SAVEPOINT copiar_tablas_bloqueos');
    const holders = await lockHolders(client, [...exclusive, ...parents]);
    throw new CopiarError('TABLA_BLOQUEADA', `${spec.target}: ${describeHolders(holders)} tiene bloqueada la tabla (o una que la referencia) y la carga esperó ${LOCK_WAIT_MS / 1000} s; se reintenta sin bloquear a la aplicación mientras tanto`, {
      context: { holders },
      cause: error,
    });
  }
}
