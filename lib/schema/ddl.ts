import { quoteIdent } from '../pg/quote.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

/** The CREATE TABLE: columns with their NOT NULL, DEFAULT and CHECK; keys come after the data. */
export function createTableSql(spec: AnyTableSpec): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(spec.target)} (\n${columnsSql(spec)}\n)`;
}

/** A temporary table of the target's columns, gone at the end of the transaction: for rows computed on the side. */
export function createScratchTableSql(spec: AnyTableSpec, name: string): string {
  return `CREATE TEMP TABLE ${quoteIdent(name)} (\n${columnsSql(spec)}\n) ON COMMIT DROP`;
}

function columnsSql(spec: AnyTableSpec): string {
  return spec.columns.map((c) => `  ${quoteIdent(c.name)} ${c.type}${spec.primaryKey.includes(c.name) && !/NOT NULL/i.test(c.type) ? ' NOT NULL' : ''}`).join(',\n');
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
 * The indexes of a table whose rows are committed, each built on its own (and so side by
 * side, on separate sessions): the secondary indexes, and the unique indexes its primary
 * key and unique constraints then take over (keySqlUsingIndexes). IF NOT EXISTS: a build
 * cut short by a stop is taken up where it was.
 */
export function standaloneIndexSql(spec: AnyTableSpec): string[] {
  const table = quoteIdent(spec.target);
  const list = (columns: string[]): string => columns.map(quoteIdent).join(', ');
  return [
    `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(primaryKeyName(spec))} ON ${table} (${list(spec.primaryKey)})`,
    ...(spec.unique ?? []).map((columns) => `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(uniqueName(spec, columns))} ON ${table} (${list(columns)})`),
    ...indexSql(spec).map((sql) => sql.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS ')),
  ];
}

/** The keys over the indexes standaloneIndexSql built: no second pass over the rows for them. */
export function keySqlUsingIndexes(spec: AnyTableSpec): string[] {
  const table = quoteIdent(spec.target);
  return keySql(spec).map((sql) => {
    const primary = `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(primaryKeyName(spec))} PRIMARY KEY `;
    if (sql.startsWith(primary)) return `${primary.trimEnd()} USING INDEX ${quoteIdent(primaryKeyName(spec))}`;
    const unique = /^(ALTER TABLE .* ADD CONSTRAINT ("[^"]+"|\S+)) UNIQUE \(.*\)$/.exec(sql);
    return unique ? `${unique[1]} UNIQUE USING INDEX ${unique[2]}` : sql;
  });
}
