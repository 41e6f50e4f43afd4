import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../pg/quote.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

/** Upper bounds of primary-key ranges of `rangeRows` rows each, read in the snapshot. */
export async function rangeBoundaries(source: pg.ClientBase, spec: AnyTableSpec, key: string, rangeRows: number): Promise<string[]> {
  const column = quoteIdent(key);
  const { rows } = await source.query<{ k: string }>(
    `SELECT k FROM (SELECT ${column}::text AS k, ${column} AS o, row_number() OVER (ORDER BY ${column}) AS n FROM ${quoteIdent(spec.source.table)}) s WHERE n % $1 = 0 ORDER BY o`,
    [rangeRows],
  );
  return rows.map((r) => r.k);
}

/**
 * The condition of range i: (boundaries[i-1], boundaries[i]]; the first range is open
 * below and the last above, so the ranges cover every key once, whatever was inserted
 * after the boundaries were read.
 */
export function rangeWhere(spec: AnyTableSpec, key: string, boundaries: readonly string[], i: number): string {
  const column = `${spec.source.alias}.${quoteIdent(key)}`;
  const conditions: string[] = [];
  if (i > 0) conditions.push(`${column} > ${quoteLiteral(boundaries[i - 1]!)}`);
  if (i < boundaries.length) conditions.push(`${column} <= ${quoteLiteral(boundaries[i]!)}`);
  return conditions.length > 0 ? conditions.join(' AND ') : 'true';
}
