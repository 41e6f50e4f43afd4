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
