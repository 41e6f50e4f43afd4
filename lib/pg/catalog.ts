import type pg from 'pg';
import { quoteIdent } from './quote.js';

/**
 * Rows and size of a table from the catalog, as the guide reads them
 * (`pg_stat_user_tables`), falling back to the planner's estimate: no scan of the table.
 */
export async function tableEstimate(client: pg.ClientBase, table: string): Promise<{ rows: number; bytes: number }> {
  const { rows } = await client.query<{ rows: string; bytes: string }>(
    `SELECT GREATEST(c.reltuples, COALESCE(s.n_live_tup, 0), 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.oid = to_regclass($1)`,
    [quoteIdent(table)],
  );
  return rows[0] ? { rows: Number(rows[0].rows), bytes: Number(rows[0].bytes) } : { rows: 0, bytes: 0 };
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
