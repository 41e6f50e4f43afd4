import type pg from 'pg';
import { quoteLiteral } from '../pg/quote.js';
import { STATE_SCHEMA } from './state-schema.js';

/** The OID of a table of the target's current schema, as SQL over the name in `$n`. */
export function tableOidSql(param: string): string {
  return `to_regclass(current_schema() || '.' || quote_ident(${param}))::oid`;
}

/**
 * Remembers that this tool created the table, by OID, so that rollback drops only those:
 * SQL with the name as a literal, to go in one trip with the CREATE TABLE it records.
 */
export function recordCreatedTableSql(table: string): string {
  const name = quoteLiteral(table);
  return `INSERT INTO ${STATE_SCHEMA}.tablas_creadas (tabla, oid) VALUES (${name}, ${tableOidSql(name)})
     ON CONFLICT (tabla) DO UPDATE SET oid = EXCLUDED.oid, creada_at = now()`;
}

export interface CreatedTable {
  table: string;
  /** The table that has the name now is the one the tool created (same OID). */
  same: boolean;
}

function missingState(error: { code?: string }): boolean {
  return error.code === '42P01' || error.code === '3F000';
}

/**
 * Tables this tool created that a table of that name still exists for, or [] when the
 * state schema is missing. A record from an older version has no OID: its name decides.
 */
export async function createdTables(client: pg.ClientBase): Promise<CreatedTable[]> {
  const { rows } = await client.query<CreatedTableRow>(CREATED_TABLES_SQL).catch((error: { code?: string }) => {
    if (missingState(error)) return { rows: [] as CreatedTableRow[] };
    throw error;
  });
  return createdTablesOf(rows);
}

export interface CreatedTableRow {
  tabla: string;
  same: boolean;
}

/** The statement behind createdTables, for a trip with others once the state tables are known to exist. */
export const CREATED_TABLES_SQL = `SELECT t.tabla, (t.oid IS NULL OR t.oid = ${tableOidSql('t.tabla')}) AS same FROM ${STATE_SCHEMA}.tablas_creadas t
        WHERE ${tableOidSql('t.tabla')} IS NOT NULL
        ORDER BY t.tabla`;

export function createdTablesOf(rows: readonly CreatedTableRow[]): CreatedTable[] {
  return rows.map((r) => ({ table: r.tabla, same: r.same }));
}

/** OIDs of the tables whose rows the tool wrote: those it created and those it loaded (rows of `{ oid }`). */
export const TABLES_THE_TOOL_WROTE_SQL = `SELECT oid::int8 AS oid FROM ${STATE_SCHEMA}.tablas_creadas WHERE oid IS NOT NULL
       UNION SELECT tabla_oid::int8 FROM ${STATE_SCHEMA}.cargas WHERE tabla_oid IS NOT NULL`;
