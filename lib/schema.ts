import type pg from 'pg';
import { CopiarError } from './errors.js';
import { quoteIdent } from './select.js';
import type { AnyTableSpec } from './spec.js';

/** The CREATE TABLE: columns with their NOT NULL, DEFAULT and CHECK; keys come after the data. */
export function createTableSql(spec: AnyTableSpec): string {
  const columns = spec.columns.map((c) => `  ${quoteIdent(c.name)} ${c.type}${spec.primaryKey.includes(c.name) && !/NOT NULL/i.test(c.type) ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(spec.target)} (\n${columns.join(',\n')}\n)`;
}

/** The type as `format_type` prints it, to compare a spec with an existing table. */
export function canonicalType(ddl: string): string {
  const match = /^\s*([A-Za-z]+)\s*(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?/.exec(ddl);
  if (!match) return ddl.toLowerCase();
  const name = match[1]!.toLowerCase();
  const args = (match[2] ?? '').replace(/\s+/g, '');
  switch (name) {
    case 'varchar':
      return `character varying${args}`;
    case 'decimal':
    case 'numeric':
      return `numeric${args}`;
    case 'serial':
    case 'integer':
    case 'int':
      return 'integer';
    case 'timestamp':
      return 'timestamp without time zone';
    default:
      return name + args;
  }
}

export function primaryKeyName(spec: AnyTableSpec): string {
  return `${spec.target}_pkey`;
}

export function uniqueName(spec: AnyTableSpec, columns: string[]): string {
  return `${spec.target}_${columns.join('_')}_key`;
}

export function foreignKeyName(spec: AnyTableSpec, columns: string[]): string {
  return `${spec.target}_${columns.join('_')}_fkey`;
}

/** Existing tables among the specs, with their columns' canonical types. */
export async function existingColumns(client: pg.ClientBase, tables: string[]): Promise<Map<string, Map<string, string>>> {
  const { rows } = await client.query<{ table_name: string; column_name: string; type: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
        AND c.relname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [tables],
  );
  const result = new Map<string, Map<string, string>>();
  for (const row of rows) {
    if (!result.has(row.table_name)) result.set(row.table_name, new Map());
    result.get(row.table_name)!.set(row.column_name, row.type);
  }
  return result;
}

/** Refuses, before any write, a target table whose columns are not the ones the contract loads. */
export function checkShape(spec: AnyTableSpec, columns: Map<string, string> | undefined): void {
  if (columns === undefined) return;
  const problems: string[] = [];
  for (const column of spec.columns) {
    const actual = columns.get(column.name);
    const expected = canonicalType(column.type);
    if (actual === undefined) problems.push(`falta la columna ${column.name}`);
    else if (actual !== expected) problems.push(`${column.name} es ${actual} y debería ser ${expected}`);
  }
  for (const [name] of columns) {
    if (!spec.columns.some((c) => c.name === name)) problems.push(`sobra la columna ${name}`);
  }
  if (problems.length > 0) {
    throw new CopiarError(
      'DESTINO_INCOMPATIBLE',
      `La tabla de destino ${spec.target} ya existe con otra forma (${problems.join('; ')}): renómbrela o bórrela (copiar-tablas rollback) y vuelva a ejecutar.`,
      { context: { table: spec.target, problems } },
    );
  }
}

export async function createMissingTable(client: pg.ClientBase, spec: AnyTableSpec): Promise<void> {
  await client.query(createTableSql(spec));
}

export interface SavedConstraint {
  table: string;
  name: string;
  definition: string;
}

/**
 * Inside the load transaction: drops the foreign keys other tables hold on this one
 * (restored, and re-validated, by `restoreAfterLoad`), this table's keys and the
 * indexes the contract lists, so the data goes in without index maintenance.
 */
export async function dropBeforeLoad(client: pg.ClientBase, spec: AnyTableSpec): Promise<SavedConstraint[]> {
  const { rows } = await client.query<SavedConstraint>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint
      WHERE contype = 'f' AND confrelid = $1::regclass AND conrelid <> confrelid`,
    [quoteIdent(spec.target)],
  );
  for (const fk of rows) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
  const table = quoteIdent(spec.target);
  const own = [
    ...(spec.foreignKeys ?? []).map((fk) => foreignKeyName(spec, fk.columns)),
    ...(spec.unique ?? []).map((columns) => uniqueName(spec, columns)),
    primaryKeyName(spec),
  ];
  for (const name of own) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`);
  for (const name of Object.keys(spec.indexes)) await client.query(`DROP INDEX IF EXISTS ${quoteIdent(name)}`);
  return rows;
}

export function keySql(spec: AnyTableSpec): string[] {
  const table = quoteIdent(spec.target);
  const list = (columns: string[]): string => columns.map(quoteIdent).join(', ');
  return [
    `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(primaryKeyName(spec))} PRIMARY KEY (${list(spec.primaryKey)})`,
    ...(spec.unique ?? []).map((columns) => `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(uniqueName(spec, columns))} UNIQUE (${list(columns)})`),
    ...(spec.foreignKeys ?? []).map(
      (fk) =>
        `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(foreignKeyName(spec, fk.columns))} FOREIGN KEY (${list(fk.columns)}) ` +
        `REFERENCES ${quoteIdent(fk.references)} (${list(fk.referencedColumns)}) ON DELETE ${fk.onDelete}`,
    ),
  ];
}

export function indexSql(spec: AnyTableSpec): string[] {
  return Object.entries(spec.indexes).map(
    ([name, columns]) => `CREATE INDEX ${quoteIdent(name)} ON ${quoteIdent(spec.target)} (${columns.map(quoteIdent).join(', ')})`,
  );
}

/**
 * Rebuilds keys and indexes, then the foreign keys other tables held on this one. A
 * child table that this run loads later gets its key back NOT VALID (its old rows may
 * point at parents that are gone; its own load re-validates it); any other child is
 * validated now, and a child that no longer fits rolls the whole load back.
 */
export async function restoreAfterLoad(client: pg.ClientBase, spec: AnyTableSpec, saved: SavedConstraint[], reloadedLater: ReadonlySet<string> = new Set()): Promise<void> {
  for (const sql of [...keySql(spec), ...indexSql(spec)]) await client.query(sql);
  for (const fk of saved) {
    const definition = fk.definition.replace(/\s+NOT VALID\s*$/i, '');
    const later = reloadedLater.has(fk.table.replace(/^"|"$/g, ''));
    try {
      await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${quoteIdent(fk.name)} ${definition}${later ? ' NOT VALID' : ''}`);
    } catch (error) {
      throw new CopiarError(
        'TABLA_FALLIDA',
        `La tabla ${fk.table} tiene filas que apuntan a ${spec.target} y ya no existirían (${(error as Error).message}): migre también ${fk.table} en la misma ejecución.`,
        { exitCode: 1, cause: error },
      );
    }
  }
  if (spec.serial) {
    const column = quoteIdent(spec.serial);
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(${column}), 1), max(${column}) IS NOT NULL) FROM ${quoteIdent(spec.target)}`,
      [quoteIdent(spec.target), spec.serial],
    );
  }
}
