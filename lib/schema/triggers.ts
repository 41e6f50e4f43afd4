import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { quoteIdent } from '../pg/quote.js';
import { textArraySql } from '../pg/text-array.js';

/**
 * What to do with the triggers of a target table: COPY fires row triggers once per row,
 * and on a hosted database a trigger may be a webhook (one HTTP request per migrated
 * message) or a notification to the application. Nobody's choice, nothing runs.
 */
export type TriggerChoice = 'skip' | 'fire';
export const TRIGGER_CHOICES: readonly TriggerChoice[] = ['skip', 'fire'];

/** A trigger that fires for the rows a session writes: enabled (O) or enabled always (A). */
export interface FiringTrigger {
  table: string;
  name: string;
  always: boolean;
}

/** The triggers of these tables that would fire for the tool's rows; the server's own (foreign keys) apart. */
export async function firingTriggers(client: pg.ClientBase, tables: readonly string[]): Promise<FiringTrigger[]> {
  return (await client.query<FiringTrigger>(firingTriggersSql(tables))).rows;
}

/** The statement behind firingTriggers, to go in one trip with others. */
export function firingTriggersSql(tables: readonly string[]): string {
  return `SELECT c.relname::text AS table, t.tgname::text AS name, t.tgenabled = 'A' AS always
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgrelid = ANY (SELECT to_regclass(q) FROM unnest(${textArraySql(tables.map(quoteIdent))}) AS q)
        AND NOT t.tgisinternal AND t.tgenabled IN ('O', 'A')
      ORDER BY 1, 2`;
}

/**
 * Inside the caller's transaction, after it holds the tables: their firing triggers are
 * disabled (one catalog read for all of them), and the returned function enables each
 * again as it was, to be called before the commit. Nothing outlives the transaction: a
 * rollback undoes the disabling too, and the application's own writes, after the commit,
 * fire them as before.
 */
export async function suspendTriggers(client: pg.ClientBase, tables: readonly string[]): Promise<() => Promise<void>> {
  const triggers = await firingTriggers(client, tables);
  for (const t of triggers) await client.query(`ALTER TABLE ${quoteIdent(t.table)} DISABLE TRIGGER ${quoteIdent(t.name)}`);
  return async () => {
    for (const t of triggers) await client.query(`ALTER TABLE ${quoteIdent(t.table)} ENABLE ${t.always ? 'ALWAYS ' : ''}TRIGGER ${quoteIdent(t.name)}`);
  };
}

function listed(triggers: readonly FiringTrigger[]): string {
  return triggers.map((t) => `${t.table}.${t.name}`).join(', ');
}

/** The refusal of a run that would fire triggers without the operator having chosen to. */
export function triggersError(triggers: readonly FiringTrigger[]): CopiarError {
  return new CopiarError(
    'DISPARADORES_ACTIVOS',
    `El destino tiene disparadores que COPY ejecutaría una vez por cada fila migrada (${listed(triggers)}): un webhook, por ejemplo, haría una petición por fila. ` +
      'Repita con --triggers skip (no se ejecutan para las filas que escribe copiar-tablas y siguen activos para la aplicación) o con --triggers fire (se ejecutan con cada fila).',
    { context: { triggers: triggers.map((t) => `${t.table}.${t.name}`) } },
  );
}
