import type pg from 'pg';
import { closeQuietly, connect, openReplication, type Endpoint } from '../pg/connection.js';
import { quoteIdent } from '../pg/quote.js';
import { requiredSourceColumns } from '../table-spec/source-columns.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { FOLLOW_NAME } from './requirements.js';

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
  const tables = [...requiredSourceColumns(specs).keys()];
  let session: pg.Client | undefined;
  try {
    // The one write the tool makes on the source, named and dropped by cutover and rollback.
    session = await connect({ ...source, role: 'origen', readOnly: false });
    await session.query(`CREATE PUBLICATION ${quoteIdent(FOLLOW_NAME)} FOR TABLE ${tables.map(quoteIdent).join(', ')}`);
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
