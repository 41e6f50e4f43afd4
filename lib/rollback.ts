import type pg from 'pg';
import { TABLE_NAMES } from '../transforms/index.js';
import { closeQuietly, connect } from './connection.js';
import { CopiarError } from './errors.js';
import { takeRunLock } from './run.js';
import { quoteIdent } from './select.js';
import { STATE_SCHEMA, createdTables, stateSchemaExists } from './state.js';

export interface RollbackPlan {
  /** Tables this tool created, children first. */
  tables: string[];
  stateSchema: boolean;
}

/** The guide's rollback, limited to what copiar-tablas created (recorded in its state schema). */
export async function rollback(options: { targetUrl: string; sslCa?: string; execute: boolean }): Promise<RollbackPlan> {
  let target: pg.Client | undefined;
  try {
    target = await connect({ url: options.targetUrl, sslCa: options.sslCa, role: 'destino' });
    const created = new Set(await createdTables(target));
    const tables = [...TABLE_NAMES].reverse().filter((t) => created.has(t));
    const plan = { tables, stateSchema: await stateSchemaExists(target) };
    if (!options.execute) return plan;
    await takeRunLock(target);
    await target.query('BEGIN');
    try {
      for (const table of tables) await target.query(`DROP TABLE ${quoteIdent(table)}`);
      await target.query(`DROP SCHEMA IF EXISTS ${STATE_SCHEMA} CASCADE`);
      await target.query('COMMIT');
    } catch (error) {
      await target.query('ROLLBACK').catch(() => undefined);
      throw new CopiarError('TABLA_FALLIDA', `No se pudo deshacer la migración, no se borró nada: ${(error as Error).message}.`, { exitCode: 1, cause: error });
    }
    return plan;
  } finally {
    await closeQuietly(target);
  }
}
