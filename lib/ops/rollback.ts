import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { closeQuietly, connect, type Endpoint } from '../pg/connection.js';
import { quoteIdent } from '../pg/quote.js';
import { inTransaction } from '../pg/transaction.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { loadOrder } from '../table-spec/table-set.js';
import { FOLLOW_NAME, followSlot } from '../follow/requirements.js';
import { dropFollow } from '../follow/slot.js';
import { createdTables } from '../state/created-tables.js';
import { takeRunLock } from '../state/run-lock.js';
import { STATE_SCHEMA, stateSchemaExists } from '../state/state-schema.js';

export interface RollbackPlan {
  /** Tables this tool created, children first. */
  tables: string[];
  /** Tables under a name the tool created that someone made again (another OID): left alone. */
  leftAlone: string[];
  stateSchema: boolean;
  /** The follow mode's slot and publication on the source (when the source was given). */
  follow: { slot: boolean; publication: boolean } | null;
}

/** What of a follow is on the source: looked at, or dropped with `execute`. */
async function followOnSource(source: Endpoint | undefined, execute: boolean): Promise<RollbackPlan['follow']> {
  if (source === undefined) return null;
  if (execute) return dropFollow(source);
  let client: pg.Client | undefined;
  try {
    client = await connect({ ...source, role: 'origen', readOnly: true });
    const slot = (await followSlot(client)) !== null;
    const publication = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [FOLLOW_NAME])).rows.length > 0;
    return { slot, publication };
  } finally {
    await closeQuietly(client);
  }
}

/** The guide's rollback, limited to what copiar-tablas created (recorded in its state schema). */
export async function rollback(options: { target: Endpoint; source?: Endpoint; catalog: readonly AnyTableSpec[]; execute: boolean }): Promise<RollbackPlan> {
  let target: pg.Client | undefined;
  try {
    target = await connect({ ...options.target, role: 'destino' });
    const created = await createdTables(target);
    const childrenFirst = loadOrder(options.catalog)
      .map((t) => t.target)
      .reverse();
    const named = (same: boolean): string[] => childrenFirst.filter((t) => created.some((c) => c.table === t && c.same === same));
    const plan: RollbackPlan = { tables: named(true), leftAlone: named(false), stateSchema: await stateSchemaExists(target), follow: null };
    if (!options.execute) return { ...plan, follow: await followOnSource(options.source, false) };
    await takeRunLock(target);
    const session = target;
    await inTransaction(session, async () => {
      for (const table of plan.tables) await session.query(`DROP TABLE ${quoteIdent(table)}`);
      await session.query(`DROP SCHEMA IF EXISTS ${STATE_SCHEMA} CASCADE`);
    }).catch((error: unknown) => {
      throw new CopiarError('ROLLBACK_FALLIDO', `No se pudo deshacer la migración, no se borró nada: ${(error as Error).message}.`, { cause: error });
    });
    // After the target: a follow whose slot is gone can no longer be resumed, so the slot goes last.
    return { ...plan, follow: await followOnSource(options.source, true) };
  } finally {
    await closeQuietly(target);
  }
}
