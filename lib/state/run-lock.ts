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
