import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { inOneTrip } from '../pg/one-trip.js';
import { quoteIdent } from '../pg/quote.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { foreignKeyName, indexSql, keySql, keySqlUsingIndexes, primaryKeyName, uniqueName } from './ddl.js';

export interface SavedConstraint {
  table: string;
  name: string;
  definition: string;
}

/**
 * Inside the load transaction: drops the foreign keys other tables hold on this one
 * (restored, and re-validated, by `restoreAfterLoad`), this table's keys and the
 * indexes the contract lists, so the data goes in without index maintenance. `then`
 * (a TRUNCATE, say) goes in the same round trip as the drops.
 */
export async function dropBeforeLoad(client: pg.ClientBase, spec: AnyTableSpec, then: readonly string[] = []): Promise<SavedConstraint[]> {
  const { rows } = await client.query<SavedConstraint>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint
      WHERE contype = 'f' AND confrelid = $1::regclass AND conrelid <> confrelid`,
    [quoteIdent(spec.target)],
  );
  const table = quoteIdent(spec.target);
  const own = [
    ...(spec.foreignKeys ?? []).map((fk) => foreignKeyName(spec, fk.columns)),
    ...(spec.unique ?? []).map((columns) => uniqueName(spec, columns)),
    primaryKeyName(spec),
  ];
  // The unique indexes a stopped parallel build left without their constraint yet.
  const keyIndexes = [primaryKeyName(spec), ...(spec.unique ?? []).map((columns) => uniqueName(spec, columns))];
  await inOneTrip(client, [
    ...rows.map((fk) => `ALTER TABLE ${fk.table} DROP CONSTRAINT ${quoteIdent(fk.name)}`),
    ...own.map((name) => `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`),
    ...[...keyIndexes, ...Object.keys(spec.indexes)].map((name) => `DROP INDEX IF EXISTS ${quoteIdent(name)}`),
    ...then,
  ]);
  return rows;
}

/**
 * Rebuilds keys and indexes, then the foreign keys other tables held on this one. A
 * child table that this run loads later gets its key back NOT VALID (its old rows may
 * point at parents that are gone; its own load re-validates it); any other child is
 * validated now, and a child that no longer fits rolls the whole load back.
 */
export async function restoreAfterLoad(
  client: pg.ClientBase,
  spec: AnyTableSpec,
  saved: SavedConstraint[],
  reloadedLater: ReadonlySet<string> = new Set(),
  onStep: (done: number, total: number) => void = () => undefined,
  options: { indexesBuilt?: boolean; oneTrip?: boolean } = {},
): Promise<void> {
  // With the indexes already built (buildIndexesSideBySide), the keys only take them over.
  const statements = options.indexesBuilt ? keySqlUsingIndexes(spec) : [...keySql(spec), ...indexSql(spec)];
  if (options.oneTrip) {
    // A small table: every build takes less than a hosted server's round trip, and a
    // progress step per index would have nothing to show.
    onStep(0, statements.length);
    await inOneTrip(client, statements);
  } else {
    for (const [i, sql] of statements.entries()) {
      onStep(i, statements.length);
      await client.query(sql);
    }
  }
  for (const fk of saved) {
    const definition = fk.definition.replace(/\s+NOT VALID\s*$/i, '');
    const later = reloadedLater.has(fk.table.replace(/^"|"$/g, ''));
    try {
      await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${quoteIdent(fk.name)} ${definition}${later ? ' NOT VALID' : ''}`);
    } catch (error) {
      throw new CopiarError(
        'REFERENCIAS_ROTAS',
        `La tabla ${fk.table} tiene filas que apuntan a ${spec.target} y ya no existirían (${(error as Error).message}): migre también ${fk.table} en la misma ejecución.`,
        { cause: error },
      );
    }
  }
  // Last: a sequence is not rolled back with the transaction, so it moves after the
  // foreign keys, whose check can roll the load back.
  await setSerialPastRows(client, spec);
}

/** A SERIAL column's sequence set past the largest id the table holds, as the guide's own inserts would leave it. */
export async function setSerialPastRows(client: pg.ClientBase, spec: AnyTableSpec): Promise<void> {
  if (!spec.serial) return;
  const column = quoteIdent(spec.serial);
  await client.query(
    `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(${column}), 1), max(${column}) IS NOT NULL) FROM ${quoteIdent(spec.target)}`,
    [quoteIdent(spec.target), spec.serial],
  );
}
