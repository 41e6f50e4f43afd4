import type pg from 'pg';
import { inOneTrip } from '../pg/one-trip.js';
import { quoteLiteral } from '../pg/quote.js';
import { textArray } from '../pg/text-array.js';
import { STATE_SCHEMA } from './state-schema.js';

/** What a follow keeps in the target, in the same transactions as the rows it applies. */
export interface FollowRecord {
  /** The end of the last source transaction applied: the stream goes on after it. */
  lsn: string;
  tables: string[];
  reportDir: string;
  /** --triggers skip: the followed changes do not fire the target tables' triggers either. */
  skipTriggers: boolean;
}

export async function ensureFollowState(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.seguimiento (
    nombre TEXT PRIMARY KEY,
    lsn PG_LSN NOT NULL,
    tablas TEXT[] NOT NULL,
    informe TEXT NOT NULL,
    iniciado_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    aplicado_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
  // The values of each prepared join (a user's normalized phone) as of the last applied
  // change: a change that moves one names the rows that carry it (mensajes, sesiones).
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.seguimiento_valores (
    tabla_origen TEXT NOT NULL,
    clave TEXT NOT NULL,
    valor TEXT,
    PRIMARY KEY (tabla_origen, clave)
  )`);
  // For a table with one keep rule (proveedores: one row per phone), the key each source
  // row claims, winners and the duplicates they beat: a change recomputes the groups of
  // the keys it leaves and joins instead of the whole table (follow/groups.ts).
  await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.seguimiento_grupos (
    tabla TEXT NOT NULL,
    id_origen TEXT NOT NULL,
    clave TEXT NOT NULL,
    PRIMARY KEY (tabla, id_origen)
  )`);
  // A state made by a version without the choice: triggers fired then.
  await client.query(`ALTER TABLE ${STATE_SCHEMA}.seguimiento ADD COLUMN IF NOT EXISTS omite_disparadores BOOLEAN NOT NULL DEFAULT false`);
  await client.query(`CREATE INDEX IF NOT EXISTS seguimiento_grupos_clave ON ${STATE_SCHEMA}.seguimiento_grupos (tabla, clave)`);
}

export async function readFollow(client: pg.ClientBase, name: string): Promise<(FollowRecord & { appliedAt: Date }) | null> {
  const exists = await client.query('SELECT to_regclass($1) AS t', [`${STATE_SCHEMA}.seguimiento`]);
  if (exists.rows[0].t === null) return null;
  const { rows } = await client.query<{ lsn: string; tablas: string[]; informe: string; omite_disparadores: boolean | null; aplicado_at: Date }>(
    // Through to_jsonb: a state made before the column existed is read too (false).
    `SELECT lsn::text AS lsn, tablas, informe, to_jsonb(s) -> 'omite_disparadores' = 'true' AS omite_disparadores, aplicado_at FROM ${STATE_SCHEMA}.seguimiento s WHERE nombre = $1`,
    [name],
  );
  const row = rows[0];
  return row ? { lsn: row.lsn, tables: row.tablas, reportDir: row.informe, skipTriggers: row.omite_disparadores === true, appliedAt: row.aplicado_at } : null;
}

/** The follow's record; its values and groups are seeded apart (seedValues, seedGroups), in the same transaction. */
export async function recordFollowStart(client: pg.ClientBase, name: string, record: FollowRecord): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.seguimiento (nombre, lsn, tablas, informe, omite_disparadores) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (nombre) DO UPDATE SET lsn = EXCLUDED.lsn, tablas = EXCLUDED.tablas, informe = EXCLUDED.informe, omite_disparadores = EXCLUDED.omite_disparadores, iniciado_at = now(), aplicado_at = now()`,
    [name, record.lsn, record.tables, record.reportDir, record.skipTriggers],
  );
}

/** Inside the apply transaction: the stream is applied up to `lsn`. */
export async function recordApplied(client: pg.ClientBase, name: string, lsn: string): Promise<void> {
  await client.query(`UPDATE ${STATE_SCHEMA}.seguimiento SET lsn = $2, aplicado_at = now() WHERE nombre = $1`, [name, lsn]);
}

export async function forgetFollow(client: pg.ClientBase, name: string): Promise<void> {
  const exists = await client.query('SELECT to_regclass($1) AS t', [`${STATE_SCHEMA}.seguimiento`]);
  if (exists.rows[0].t === null) return;
  // One trip, one transaction; TRUNCATE, not DELETE: a row per user and per keep-rule
  // member, emptied while the application waits at the end of a cutover.
  await inOneTrip(client, [
    `DELETE FROM ${STATE_SCHEMA}.seguimiento WHERE nombre = ${quoteLiteral(name)}`,
    `TRUNCATE ${STATE_SCHEMA}.seguimiento_valores, ${STATE_SCHEMA}.seguimiento_grupos`,
  ]);
}

/** The stored values of `keys` (all of the table's when `keys` is undefined). */
export async function storedValues(client: pg.ClientBase, table: string, keys: readonly string[]): Promise<Map<string, string | null>> {
  const { rows } = await client.query<{ clave: string; valor: string | null }>(
    `SELECT clave, valor FROM ${STATE_SCHEMA}.seguimiento_valores WHERE tabla_origen = $1 AND clave = ANY($2::text[])`,
    [table, textArray(keys)],
  );
  return new Map(rows.map((r) => [r.clave, r.valor]));
}

/** Sets the values of keys (a null value: the key has none, or is gone). */
export async function storeValues(client: pg.ClientBase, table: string, values: ReadonlyMap<string, string | null>): Promise<void> {
  if (values.size === 0) return;
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.seguimiento_valores (tabla_origen, clave, valor) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS x(k, v)
       ON CONFLICT (tabla_origen, clave) DO UPDATE SET valor = EXCLUDED.valor`,
    [table, textArray([...values.keys()]), textArray([...values.values()])],
  );
}

export async function clearValues(client: pg.ClientBase, table: string): Promise<void> {
  await client.query(`DELETE FROM ${STATE_SCHEMA}.seguimiento_valores WHERE tabla_origen = $1`, [table]);
}

/** The keys that `ids` claim in a keep-rule table's groups, as of the last applied batch. */
export async function claimedKeys(client: pg.ClientBase, table: string, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ clave: string }>(`SELECT clave FROM ${STATE_SCHEMA}.seguimiento_grupos WHERE tabla = $1 AND id_origen = ANY($2::text[])`, [table, ids]);
  return new Set(rows.map((r) => r.clave));
}

/** The source ids that claim any of `keys`. */
export async function claimants(client: pg.ClientBase, table: string, keys: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ id_origen: string }>(`SELECT id_origen FROM ${STATE_SCHEMA}.seguimiento_grupos WHERE tabla = $1 AND clave = ANY($2::text[])`, [table, keys]);
  return new Set(rows.map((r) => r.id_origen));
}

/** `ids` claim from now on what `claims` says (an id absent from it claims nothing). */
export async function replaceClaims(client: pg.ClientBase, table: string, ids: readonly string[], claims: ReadonlyMap<string, string>): Promise<void> {
  await client.query(`DELETE FROM ${STATE_SCHEMA}.seguimiento_grupos WHERE tabla = $1 AND id_origen = ANY($2::text[])`, [table, ids]);
  const entries = [...claims];
  for (let i = 0; i < entries.length; i += 50_000) {
    const part = entries.slice(i, i + 50_000);
    await client.query(`INSERT INTO ${STATE_SCHEMA}.seguimiento_grupos (tabla, id_origen, clave) SELECT $1, i, c FROM unnest($2::text[], $3::text[]) AS x(i, c)`, [table, part.map(([id]) => id), part.map(([, key]) => key)]);
  }
}

export async function clearClaims(client: pg.ClientBase, table: string): Promise<void> {
  await client.query(`DELETE FROM ${STATE_SCHEMA}.seguimiento_grupos WHERE tabla = $1`, [table]);
}
