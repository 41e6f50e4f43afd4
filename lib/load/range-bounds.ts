import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../pg/quote.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

// Numbering every key of a large table to cut it sorts them all: 3.4 s at 5M rows, a
// full read and an external sort at 20M, before the first row is copied. A sample of
// whole pages (TABLESAMPLE SYSTEM) of about this many rows gives ranges within a few
// percent of the asked size (a range of 1/40 of the table, the smallest the deadline's
// ranges make at 20M, is counted from some 6,000 sampled keys: about 1.3 % off); a table
// the statistics put below it is read whole, as before. At 5M rows a sample of 1M took
// 0.9–1.1 s before the copy started, one of 250k 0.24–0.27 s.
const SAMPLE_ROWS = 250_000;

/**
 * Upper bounds of primary-key ranges of about `rangeRows` rows each, read in the
 * snapshot: exact (every rangeRows-th key) when the table is small or has no statistics.
 */
export async function rangeBoundaries(source: pg.ClientBase, spec: AnyTableSpec, key: string, rangeRows: number, sampleRows = SAMPLE_ROWS): Promise<string[]> {
  const table = quoteIdent(spec.source.table);
  const { rows: stats } = await source.query<{ estimate: number | null }>('SELECT reltuples::float8 AS estimate FROM pg_class WHERE oid = $1::regclass', [table]);
  const estimate = stats[0]?.estimate ?? -1;
  const percent = estimate > sampleRows ? (100 * sampleRows) / estimate : 100;
  const column = quoteIdent(key);
  if (percent === 100) {
    const { rows } = await source.query<{ k: string }>(
      `SELECT k FROM (SELECT ${column}::text AS k, ${column} AS o, row_number() OVER (ORDER BY ${column}) AS n FROM ${table}) s WHERE n % $1 = 0 ORDER BY o`,
      [rangeRows],
    );
    return rows.map((r) => r.k);
  }
  // Every how many sampled keys a bound goes is taken from the rows the sample holds, not
  // from the percent asked: SYSTEM picks whole pages at random, and on a table of a few
  // hundred pages the sample's size alone moved by a fifth (ranges of 13,300 rows for
  // 10,000). The table's estimate then sets how many ranges there are.
  const { rows } = await source.query<{ k: string }>(
    `SELECT k FROM (SELECT ${column}::text AS k, ${column} AS o, row_number() OVER (ORDER BY ${column}) AS n, count(*) OVER () AS sampled
                      FROM ${table} TABLESAMPLE SYSTEM (${percent})) s
      WHERE n % greatest(1, round(sampled * $1::float8 / $2::float8))::bigint = 0 ORDER BY o`,
    [rangeRows, estimate],
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
