import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { closeQuietly, connect, type Endpoint } from '../pg/connection.js';
import { quoteIdent } from '../pg/quote.js';
import { inTransaction } from '../pg/transaction.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { loadOrder } from '../table-spec/table-set.js';
import { createdTables } from '../state/created-tables.js';
import { takeRunLock } from '../state/run-lock.js';
import { STATE_SCHEMA, stateSchemaExists } from '../state/state-schema.js';

export interface RollbackPlan {
  /** Tables this tool created, children first. */
  tables: string[];
  /** Tables under a name the tool created that someone made again (another OID): left alone. */
  leftAlone: string[];
  stateSchema: boolean;
}

/** The guide's rollback, limited to what copiar-tablas created (recorded in its state schema). */
export async function rollback(options: { target: Endpoint; catalog: readonly AnyTableSpec[]; execute: boolean }): Promise<RollbackPlan> {
  let target: pg.Client | undefined;
  try {
    target = await connect({ ...options.target, role: 'destino' });
    const created = await createdTables(target);
    const childrenFirst = loadOrder(options.catalog)
      .map((t) => t.target)
      .reverse();
    const named = (same: boolean): string[] => childrenFirst.filter((t) => created.some((c) => c.table === t && c.same === same));
    const plan = { tables: named(true), leftAlone: named(false), stateSchema: await stateSchemaExists(target) };
    if (!options.execute) return plan;
    await takeRunLock(target);
    const session = target;
    await inTransaction(session, async () => {
      for (const table of plan.tables) await session.query(`DROP TABLE ${quoteIdent(table)}`);
      await session.query(`DROP SCHEMA IF EXISTS ${STATE_SCHEMA} CASCADE`);
    }).catch((error: unknown) => {
      throw new CopiarError('ROLLBACK_FALLIDO', `No se pudo deshacer la migración, no se borró nada: ${(error as Error).message}.`, { cause: error });
    });
    return plan;
  } finally {
    await closeQuietly(target);
  }
}
