import type pg from 'pg';
import { replicaIdentities, serverVersionNum, type ReplicaIdentity } from '../pg/catalog.js';
import { closeQuietly, connect, openReplication, type Endpoint } from '../pg/connection.js';
import { quoteIdent } from '../pg/quote.js';
import { requiredSourceColumns } from '../table-spec/source-columns.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { FOLLOW_NAME } from './requirements.js';
import { sourceIdColumns } from './table-follow-kinds.js';
import { streamedTables } from './streamed-rows.js';

/** A source table as the publication lists it: its replica identity, and the columns the follower reads. */
export interface PublishedTable extends ReplicaIdentity {
  /** The column the follower reads of each changed row (`sourceIdColumns`). */
  idColumn: string | undefined;
  /** The columns of a table whose rows the follower takes from the stream (streamed-rows.ts); none for the others. */
  rowColumns?: readonly string[];
}

/**
 * A publication entry: the table with only the columns the follower reads, with its
 * identity, where PostgreSQL 15+ allows a column list: of a table whose rows it takes
 * from the stream (messages), those rows' columns; of the others, the id alone, so the
 * source does not render, and send, the whole of every changed row (a user's) when only
 * its id is read. A table with REPLICA IDENTITY FULL (customers) publishes every column:
 * PostgreSQL requires it.
 */
export function publicationEntry(published: PublishedTable, serverVersionNum: number): string {
  const { table, identity, columns: identityColumns, idColumn } = published;
  if (serverVersionNum < 150000 || (identity !== 'd' && identity !== 'i') || identityColumns.length === 0) return quoteIdent(table);
  const columns = [...new Set([...identityColumns, ...(idColumn === undefined ? [] : [idColumn]), ...(published.rowColumns ?? [])])];
  return `${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')})`;
}

async function publishedTables(session: pg.ClientBase, specs: readonly AnyTableSpec[]): Promise<PublishedTable[]> {
  const tables = [...requiredSourceColumns(specs).keys()];
  const idColumns = sourceIdColumns(specs);
  const streamed = streamedTables(specs);
  const found = new Map((await replicaIdentities(session, tables)).map((r) => [r.table, r]));
  // A table not found is left to CREATE PUBLICATION to name in its error.
  return tables.map((table) => ({ ...(found.get(table) ?? { table, identity: 'f', columns: [] }), idColumn: idColumns.get(table), rowColumns: streamed.get(table)?.source.columns }));
}

/** Where the stream of changes starts, and the snapshot the bulk copy reads: they meet exactly there. */
export interface FollowStart {
  /** The slot's consistent point: the first change the stream will carry comes after it. */
  lsn: string;
  /** Exported by the slot's creation: valid until `release()`. */
  snapshot: string;
  /** Ends the replication session that keeps the snapshot; once every reader has imported it. */
  release: () => Promise<void>;
}

/**
 * Creates the publication of the source tables the migration reads and the logical
 * replication slot (pgoutput), both named copiar_tablas, the slot exporting its
 * snapshot: what the bulk copy reads in that snapshot and what the slot streams after
 * it are, together, every row exactly once. The only things the follow mode creates on
 * the source (docs/contract.md, "Following changes").
 */
export async function createFollowStart(source: Endpoint, specs: readonly AnyTableSpec[]): Promise<FollowStart> {
  let session: pg.Client | undefined;
  try {
    // The one write the tool makes on the source, named and dropped by cutover and rollback.
    session = await connect({ ...source, role: 'origen', readOnly: false });
    const version = await serverVersionNum(session);
    const entries = (await publishedTables(session, specs)).map((published) => publicationEntry(published, version));
    await session.query(`CREATE PUBLICATION ${quoteIdent(FOLLOW_NAME)} FOR TABLE ${entries.join(', ')}`);
  } finally {
    await closeQuietly(session);
  }
  const replication = await openReplication(source);
  try {
    const { rows } = await replication.query<{ consistent_point: string; snapshot_name: string }>(`CREATE_REPLICATION_SLOT ${quoteIdent(FOLLOW_NAME)} LOGICAL pgoutput EXPORT_SNAPSHOT`);
    const created = rows[0]!;
    return { lsn: created.consistent_point, snapshot: created.snapshot_name, release: () => closeQuietly(replication) };
  } catch (error) {
    await closeQuietly(replication);
    await dropFollow(source).catch(() => undefined);
    throw error;
  }
}

/** Drops the slot and the publication from the source, whichever exists: what is left of a follow. */
export async function dropFollow(source: Endpoint): Promise<{ slot: boolean; publication: boolean }> {
  let session: pg.Client | undefined;
  try {
    session = await connect({ ...source, role: 'origen', readOnly: false });
    const slot = await session.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [FOLLOW_NAME]);
    const publication = await session.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [FOLLOW_NAME]);
    if (publication.rows.length > 0) await session.query(`DROP PUBLICATION ${quoteIdent(FOLLOW_NAME)}`);
    return { slot: (slot.rowCount ?? 0) > 0, publication: publication.rows.length > 0 };
  } finally {
    await closeQuietly(session);
  }
}
