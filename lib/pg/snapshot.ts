import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { closeQuietly, connect, type ConnectionOptions } from './connection.js';
import { quoteLiteral } from './quote.js';

const READ_ONLY_SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * Opens a read-only REPEATABLE READ transaction on `client` and exports its snapshot:
 * every session that imports it sees the same moment, for as long as `client` keeps
 * the transaction open. With `from`, that moment is another exported snapshot's (the
 * follow mode's slot), which the slot's session then no longer has to keep.
 */
export async function exportSnapshot(client: pg.ClientBase, from?: string): Promise<string> {
  await client.query(READ_ONLY_SNAPSHOT);
  if (from !== undefined) await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(from)}`);
  const { rows } = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
  return rows[0]!.snapshot;
}

/** A read-only repeatable-read transaction of its own, for reads that must agree with each other. */
export async function beginConsistentRead(client: pg.ClientBase): Promise<void> {
  await client.query(READ_ONLY_SNAPSHOT);
}

/** A new read-only session inside an exported snapshot. */
export async function openSnapshotSession(options: ConnectionOptions, snapshot: string): Promise<pg.Client> {
  const client = await connect({ ...options, readOnly: true });
  try {
    await client.query(READ_ONLY_SNAPSHOT);
    await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`);
  } catch (error) {
    await closeQuietly(client);
    if ((error as { code?: string }).code === '22023' || /snapshot .* does not exist|invalid snapshot/i.test((error as Error).message)) {
      throw new CopiarError('INSTANTANEA_PERDIDA', 'la instantánea del origen ya no existe (se perdió la conexión que la sostenía o se reinició el servidor)', { cause: error });
    }
    throw error;
  }
  return client;
}
