import type pg from 'pg';
import { quoteIdent } from './quote.js';

// One statement for all the tables, not one each: a hosted server is a round trip away.

/** The tables among `tables` that exist and that the session may not SELECT from. */
export async function unreadableTables(client: pg.ClientBase, tables: Iterable<string>): Promise<string[]> {
  const names = [...tables];
  if (names.length === 0) return [];
  const { rows } = await client.query<{ n: string }>(
    `SELECT u.n FROM unnest($1::text[]) WITH ORDINALITY AS u(name, n)
      WHERE to_regclass(u.name) IS NOT NULL AND NOT has_table_privilege(to_regclass(u.name), 'SELECT')
      ORDER BY u.n`,
    [names.map(quoteIdent)],
  );
  return rows.map((r) => names[Number(r.n) - 1]!);
}

const TABLE_PRIVILEGES = ['INSERT', 'TRUNCATE'];

/** CREATE on the schema when something must be created; INSERT and TRUNCATE on tables that exist. */
export async function targetPrivilegeProblems(target: pg.ClientBase, existing: string[], mustCreate: boolean): Promise<string[]> {
  const { rows } = await target.query<{ can_create: boolean; missing: { table: number; privilege: number }[] }>(
    `SELECT has_schema_privilege(current_schema(), 'CREATE') AS can_create,
            COALESCE((SELECT json_agg(json_build_object('table', u.n, 'privilege', p.n) ORDER BY u.n, p.n)
                        FROM unnest($1::text[]) WITH ORDINALITY AS u(name, n)
                        CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS p(privilege, n)
                       WHERE NOT has_table_privilege(u.name, p.privilege)), '[]') AS missing`,
    [existing.map(quoteIdent), TABLE_PRIVILEGES],
  );
  const problems: string[] = [];
  if (mustCreate && !rows[0]!.can_create) problems.push('sin permiso CREATE en el esquema de destino (GRANT CREATE ON SCHEMA <esquema> TO <usuario>)');
  for (const m of rows[0]!.missing) problems.push(`sin permiso ${TABLE_PRIVILEGES[m.privilege - 1]} sobre ${existing[m.table - 1]} en el destino`);
  return problems;
}
