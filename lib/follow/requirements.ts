import type pg from 'pg';
import { replicaIdentities } from '../pg/catalog.js';
import { requiredSourceColumns } from '../table-spec/source-columns.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

/** The publication and the replication slot of the follow mode, on the source: both carry this name. */
export const FOLLOW_NAME = 'copiar_tablas';

/** A replication slot on the source, and the WAL it keeps the server from recycling. */
export interface SlotInfo {
  name: string;
  active: boolean;
  /** Bytes of WAL between the slot's restart point and the server's current position. */
  retainedBytes: number;
}

/** The slot named `copiar_tablas` on the source, if there is one. */
export async function followSlot(client: pg.ClientBase): Promise<SlotInfo | null> {
  const { rows } = await client.query<{ active: boolean; retained: string | null }>(
    'SELECT active, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retained FROM pg_replication_slots WHERE slot_name = $1',
    [FOLLOW_NAME],
  );
  const row = rows[0];
  return row ? { name: FOLLOW_NAME, active: row.active, retainedBytes: Number(row.retained ?? 0) } : null;
}

/**
 * What keeps the source from being followed through logical replication, one Spanish
 * sentence each, before anything is created on it (docs/contract.md, "Following
 * changes"). copiar-tablas never changes the source's schema or settings: each
 * sentence says what the operator has to do.
 */
export async function followProblems(client: pg.ClientBase, specs: readonly AnyTableSpec[], options: { resume?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const walLevel = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level;
  if (walLevel !== 'logical') {
    problems.push(
      `el origen tiene wal_level = ${walLevel} y seguir sus cambios necesita logical: ALTER SYSTEM SET wal_level = logical y reiniciar el servidor (en Supabase y otros proveedores ya está activo)`,
    );
  }
  const role = (await client.query<{ name: string; may: boolean }>('SELECT current_user AS name, rolreplication OR rolsuper AS may FROM pg_roles WHERE rolname = current_user')).rows[0];
  if (role && !role.may) problems.push(`el usuario ${role.name} no puede replicar: ALTER ROLE ${role.name} REPLICATION, o use un usuario que pueda`);
  const tables = [...requiredSourceColumns(specs).keys()];
  const identities = await replicaIdentities(client, tables);
  const unnamed = identities.filter((r) => r.identity === 'n' || (r.identity === 'd' && r.columns.length === 0)).map((r) => r.table);
  for (const table of unnamed) {
    problems.push(`la tabla ${table} del origen no tiene clave primaria ni identidad de réplica: sus UPDATE y DELETE no dirían qué fila cambian; ALTER TABLE ${table} REPLICA IDENTITY FULL`);
  }
  const slot = await followSlot(client);
  if (slot && !options.resume) {
    problems.push(
      `ya hay un slot de replicación ${FOLLOW_NAME} en el origen (${slot.active ? 'en uso' : 'sin uso'}, retiene ${(slot.retainedBytes / 1024 / 1024).toFixed(1)} MB de WAL): continúe su seguimiento con --resume, o bórrelo en el origen con SELECT pg_drop_replication_slot('${FOLLOW_NAME}')`,
    );
  }
  return problems;
}
