import type pg from 'pg';
import { tableOfCurrentSchemaSql } from './catalog.js';
import { quoteIdent } from './quote.js';
import { textArraySql } from './text-array.js';

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

/** SELECT to see whether a table holds rows (and for verify), INSERT and TRUNCATE to load it. */
const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'TRUNCATE'];

export interface TargetPrivileges {
  can_create: boolean;
  /** The privileges each table that exists lacks: its name, and indexes (from 1) into TABLE_PRIVILEGES. */
  missing: { table: string; privilege: number }[];
}

/**
 * CREATE on the current schema, and the table privileges a load needs on those of these
 * tables that exist there (the tables the run would otherwise create are its own): a
 * statement to go in one trip with the target's other checks.
 */
export function targetPrivilegesSql(tables: readonly string[]): string {
  return `SELECT has_schema_privilege(current_schema(), 'CREATE') AS can_create,
            COALESCE((SELECT json_agg(json_build_object('table', c.relname, 'privilege', p.n) ORDER BY u.n, p.n)
                        FROM unnest(${textArraySql(tables)}) WITH ORDINALITY AS u(name, n)
                        JOIN pg_class c ON c.relname = u.name AND ${tableOfCurrentSchemaSql('c')}
                        CROSS JOIN unnest(${textArraySql(TABLE_PRIVILEGES)}) WITH ORDINALITY AS p(privilege, n)
                       WHERE NOT has_table_privilege(c.oid, p.privilege)), '[]') AS missing`;
}

/** What the target's user may not do, each with the grant that allows it; CREATE only counts when something must be created. */
export function targetPrivilegeProblems(privileges: TargetPrivileges, mustCreate: boolean): string[] {
  const problems: string[] = [];
  if (mustCreate && !privileges.can_create) problems.push('sin permiso CREATE en el esquema de destino (GRANT CREATE ON SCHEMA <esquema> TO <usuario>)');
  for (const m of privileges.missing) {
    const privilege = TABLE_PRIVILEGES[m.privilege - 1]!;
    problems.push(`sin permiso ${privilege} sobre ${m.table} en el destino (GRANT ${privilege} ON ${m.table} TO <usuario>)`);
  }
  return problems;
}

/** Tables that exist but whose rows the target's user may not read. */
export function unreadableTargetTables(privileges: TargetPrivileges): Set<string> {
  return new Set(privileges.missing.filter((m) => TABLE_PRIVILEGES[m.privilege - 1] === 'SELECT').map((m) => m.table));
}
