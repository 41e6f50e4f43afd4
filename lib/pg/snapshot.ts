import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { closeQuietly, connect, type ConnectionOptions } from './connection.js';
import { inOneTrip } from './one-trip.js';
import { quoteLiteral } from './quote.js';

const READ_ONLY_SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

function importSnapshotSql(snapshot: string): string {
  return `SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`;
}

/**
 * Opens a read-only REPEATABLE READ transaction on `client` and exports its snapshot:
 * every session that imports it sees the same moment, for as long as `client` keeps
 * the transaction open. With `from`, that moment is another exported snapshot's (the
 * follow mode's slot), which the slot's session then no longer has to keep.
 */
export async function exportSnapshot(client: pg.ClientBase, from?: string): Promise<string> {
  const statements = [READ_ONLY_SNAPSHOT, ...(from === undefined ? [] : [importSnapshotSql(from)]), 'SELECT pg_export_snapshot() AS snapshot'];
  const results = await inOneTrip<{ snapshot: string }>(client, statements);
  return results.at(-1)!.rows[0]!.snapshot;
}

/** A read-only repeatable-read transaction of its own, for reads that must agree with each other. */
export async function beginConsistentRead(client: pg.ClientBase): Promise<void> {
  await client.query(READ_ONLY_SNAPSHOT);
}

/** A new read-only session inside an exported snapshot. */
export async function openSnapshotSession(options: ConnectionOptions, snapshot: string): Promise<pg.Client> {
  const client = await connect({ ...options, readOnly: true });
  try {
    // Not in the trip of the session's settings: statements before a BEGIN in one query
    // join its transaction, and a rollback would undo them.
    await inOneTrip(client, [READ_ONLY_SNAPSHOT, importSnapshotSql(snapshot)]);
  } catch (error) {
    await closeQuietly(client);
    if ((error as { code?: string }).code === '22023' || /snapshot .* does not exist|invalid snapshot/i.test((error as Error).message)) {
      throw new CopiarError('INSTANTANEA_PERDIDA', 'la instantánea del origen ya no existe (se perdió la conexión que la sostenía o se reinició el servidor)', { cause: error });
    }
    throw error;
  }
  return client;
}
