import type pg from 'pg';
import { quoteIdent } from './quote.js';

/** The tables among `tables` that exist and that the session may not SELECT from. */
export async function unreadableTables(client: pg.ClientBase, tables: Iterable<string>): Promise<string[]> {
  const denied: string[] = [];
  for (const table of tables) {
    const { rows } = await client.query<{ ok: boolean | null }>(
      "SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE has_table_privilege(to_regclass($1), 'SELECT') END AS ok",
      [quoteIdent(table)],
    );
    if (rows[0]?.ok === false) denied.push(table);
  }
  return denied;
}

/** CREATE on the schema when something must be created; INSERT and TRUNCATE on tables that exist. */
export async function targetPrivilegeProblems(target: pg.ClientBase, existing: string[], mustCreate: boolean): Promise<string[]> {
  const problems: string[] = [];
  if (mustCreate) {
    const { rows } = await target.query<{ ok: boolean }>("SELECT has_schema_privilege(current_schema(), 'CREATE') AS ok");
    if (!rows[0]?.ok) problems.push('sin permiso CREATE en el esquema de destino (GRANT CREATE ON SCHEMA <esquema> TO <usuario>)');
  }
  for (const table of existing) {
    for (const privilege of ['INSERT', 'TRUNCATE']) {
      const { rows } = await target.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2) AS ok', [quoteIdent(table), privilege]);
      if (!rows[0]?.ok) problems.push(`sin permiso ${privilege} sobre ${table} en el destino`);
    }
  }
  return problems;
}
