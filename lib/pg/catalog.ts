import type pg from 'pg';
import { quoteIdent, quoteLiteral } from './quote.js';

export interface TableEstimate {
  rows: number;
  bytes: number;
}

/**
 * Rows and size of each table from the catalog, as the guide reads them
 * (`pg_stat_user_tables`), falling back to the planner's estimate: no scan of a table,
 * and one round trip for all of them. A table that is not there counts 0.
 */
export async function tableEstimates(client: pg.ClientBase, tables: readonly string[]): Promise<TableEstimate[]> {
  if (tables.length === 0) return [];
  const { rows } = await client.query<{ rows: string | null; bytes: string | null }>(
    `SELECT GREATEST(c.reltuples, COALESCE(s.n_live_tup, 0), 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM unnest($1::text[]) WITH ORDINALITY AS u(name, n)
       LEFT JOIN pg_class c ON c.oid = to_regclass(u.name)
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      ORDER BY u.n`,
    [tables.map(quoteIdent)],
  );
  return rows.map((r) => ({ rows: Number(r.rows ?? 0), bytes: Number(r.bytes ?? 0) }));
}

export async function tableEstimate(client: pg.ClientBase, table: string): Promise<TableEstimate> {
  return (await tableEstimates(client, [table]))[0]!;
}

/**
 * The condition on a pg_class row (`alias`) for a table of the target's current schema,
 * plain or partitioned: what the run's checks count as a table that exists.
 */
export function tableOfCurrentSchemaSql(alias: string): string {
  return `${alias}.relnamespace = current_schema()::regnamespace AND ${alias}.relkind IN ('r', 'p')`;
}

/**
 * Whether each table holds a row, read with EXISTS (statistics can say 0 after a restore
 * or a restart), and its OID: one statement for all of them. `relations` are tables that
 * exist, named as SQL reads them (a quoted identifier, or a regclass's text).
 */
export async function rowPresence(client: pg.ClientBase, relations: readonly string[]): Promise<RowPresence[]> {
  if (relations.length === 0) return [];
  return rowPresenceOf((await client.query<RowPresenceRow>(rowPresenceSql(relations))).rows);
}

export interface RowPresence {
  oid: number;
  hasRows: boolean;
}

export interface RowPresenceRow {
  oid: string;
  has_rows: boolean;
}

/** The statement behind rowPresence (at least one relation), to go in one trip with others. */
export function rowPresenceSql(relations: readonly string[]): string {
  return relations.map((relation, i) => `SELECT ${i} AS n, ${quoteLiteral(relation)}::regclass::oid::int8 AS oid, EXISTS (SELECT 1 FROM ${relation}) AS has_rows`).join(' UNION ALL ') + ' ORDER BY n';
}

export function rowPresenceOf(rows: readonly RowPresenceRow[]): RowPresence[] {
  return rows.map((r) => ({ oid: Number(r.oid), hasRows: r.has_rows }));
}

/**
 * Which database of which server this session is in: two sessions with the same
 * identity share one database (same server start, same database OID), whatever their
 * URLs say (a host name and its address, a pooler and the direct port).
 */
export async function databaseIdentity(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    "SELECT pg_postmaster_start_time()::text || '/' || (SELECT oid FROM pg_database WHERE datname = current_database())::text || '/' || current_database() AS id",
  );
  return rows[0]!.id;
}

/** The server's version as a number (150004 for 15.4): what a feature needs is compared against it. */
export async function serverVersionNum(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
  return rows[0]!.v;
}

/** How a table's rows are named in a logical replication stream. */
export interface ReplicaIdentity {
  table: string;
  /** pg_class.relreplident: d(efault, the primary key), i(ndex), f(ull), n(othing). */
  identity: string;
  /** The columns that name a row: the primary key's (d) or the replica identity index's (i); none otherwise. */
  columns: string[];
}

/** The replica identity of each of `tables` that exists, resolved as the queries name them (search_path). */
export async function replicaIdentities(client: pg.ClientBase, tables: readonly string[]): Promise<ReplicaIdentity[]> {
  const { rows } = await client.query<ReplicaIdentity>(
    `SELECT n.name AS table, c.relreplident AS identity,
            ARRAY(SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                  WHERE i.indrelid = c.oid AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident))) AS columns
       FROM unnest($1::text[], $2::text[]) AS n(name, quoted) JOIN pg_class c ON c.oid = to_regclass(n.quoted)`,
    [tables, tables.map(quoteIdent)],
  );
  return rows;
}
