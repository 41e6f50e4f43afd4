import { quoteIdent } from '../pg/quote.js';
import type { AnyTableSpec, ColumnSpec } from './spec.js';

/**
 * Long values (TEXT, JSONB) are worth scanning with a native byte search; short ones
 * (uuids, enumerations, phones, timestamps) with a plain loop.
 */
export function isWide(column: ColumnSpec): boolean {
  return /^\s*(TEXT|JSONB)\b/i.test(column.type);
}

// Memoized rules usually change their bytes (English to Spanish), so they go first and
// the rest of a clean row is one unbroken byte range; among the others, short values go
// before long ones, and pass-through columns last, where the transform never looks.
function rank(column: ColumnSpec): number {
  if (column.rule !== undefined && column.memo) return 0;
  if (column.rule !== undefined) return isWide(column) ? 2 : 1;
  return isWide(column) ? 4 : 3;
}

/**
 * The target columns in the order the COPY FROM lists them and the transform writes
 * them. COPY takes any column order, so the order is chosen for the transform: the
 * table's DDL keeps the spec's order.
 */
export function wireColumns(spec: AnyTableSpec): ColumnSpec[] {
  return spec.columns
    .map((column, i) => ({ column, i }))
    .sort((a, b) => rank(a.column) - rank(b.column) || a.i - b.i)
    .map(({ column }) => column);
}

/**
 * The fields the source SELECT returns, in order. The fields no target column reads
 * (kept for the reject file and for rules that look at other fields) come first; then
 * the fields of the target columns in wire order, so that unchanged values sit next to
 * each other in both rows and a clean row's tail is copied as one byte range, up to its
 * newline, without being split.
 */
export function sourceFields(spec: AnyTableSpec): string[] {
  const read = wireColumns(spec)
    .map((column) => column.from)
    .filter((name): name is string => name !== undefined);
  const extras = [...spec.source.columns, ...Object.keys(spec.source.lookups ?? {})].filter((name) => !read.includes(name));
  return [...new Set([...extras, ...read])];
}

export function fieldExpression(spec: AnyTableSpec, field: string, options: { joinInProcess?: boolean } = {}): string {
  // Joined by the process: the field carries the join's key, and the process looks its value up.
  if (options.joinInProcess === true && preparedJoinFields(spec).includes(field)) return spec.source.prepared!.keyExpression;
  const lookup = spec.source.lookups?.[field];
  if (lookup !== undefined) return lookup;
  if (!spec.source.columns.includes(field)) throw new Error(`${spec.target}: el campo ${field} no es columna de ${spec.source.table} ni una búsqueda`);
  return `${spec.source.alias}.${quoteIdent(field)}`;
}

/** The fields that carry a prepared join's value: lookups of `<alias>.valor`, the column its clause gives. */
export function preparedJoinFields(spec: AnyTableSpec): string[] {
  const join = spec.source.prepared;
  if (join === undefined) return [];
  return Object.entries(spec.source.lookups ?? {})
    .filter(([, expression]) => expression === `${join.alias}.valor`)
    .map(([field]) => field);
}
