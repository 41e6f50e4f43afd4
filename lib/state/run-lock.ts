import type pg from 'pg';
import { CopiarError } from '../errors.js';

// One lock for every copiar-tablas run against a target database ('copi' in ASCII).
const RUN_LOCK_KEY = 0x636f7069;

/** Held by the session for as long as it lives: one run (or rollback) at a time per target. */
export async function takeRunLock(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RUN_LOCK_KEY]);
  if (!rows[0]?.locked) {
    throw new CopiarError('EJECUCION_EN_CURSO', 'Ya hay otra ejecución de copiar-tablas contra esta base de destino; espere a que termine (o deténgala) antes de lanzar otra.');
  }
}

/** The backend holding the run lock, seen from another session: the run in progress, or none. */
export async function runLockHolder(client: pg.ClientBase): Promise<number | null> {
  const { rows } = await client.query<{ pid: number }>(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = $1 LIMIT 1",
    [RUN_LOCK_KEY],
  );
  return rows[0]?.pid ?? null;
}
