import { CopiarError } from '../errors.js';
import { tableOfCurrentSchemaSql } from '../pg/catalog.js';
import { textArraySql } from '../pg/text-array.js';
import { canonicalType } from '../table-spec/column-type.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

export interface ColumnRow {
  table_name: string;
  column_name: string;
  type: string;
}

/** The columns of the tables among these that exist in the current schema, with their types (a statement to go in one trip with others). */
export function existingColumnsSql(tables: readonly string[]): string {
  return `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE ${tableOfCurrentSchemaSql('c')}
        AND c.relname = ANY(${textArraySql(tables)}) AND a.attnum > 0 AND NOT a.attisdropped`;
}

/** Existing tables, with their columns' canonical types. */
export function columnsByTable(rows: readonly ColumnRow[]): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  for (const row of rows) {
    if (!result.has(row.table_name)) result.set(row.table_name, new Map());
    result.get(row.table_name)!.set(row.column_name, row.type);
  }
  return result;
}

/** Refuses, before any write, a target table whose columns are not the ones the contract loads. */
export function checkShape(spec: AnyTableSpec, columns: Map<string, string> | undefined, options: { createdByTool: boolean } = { createdByTool: false }): void {
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
      `La tabla de destino ${spec.target} ya existe con otra forma (${problems.join('; ')}): ${options.createdByTool ? 'bórrela (npx copiar-tablas rollback --yes borra las tablas que creó)' : 'copiar-tablas no la creó; renómbrela o bórrela'} y vuelva a ejecutar.`,
      { context: { table: spec.target, problems } },
    );
  }
}
