import type pg from 'pg';
import { serverVersionNum } from '../pg/catalog.js';
import { quoteIdent } from '../pg/quote.js';
import { wireColumnList } from '../table-spec/copy-sql.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

// Comparing two tables row by row (EXCEPT ALL) sorts every row of both: at 20M wide rows
// that took four times the migration. Instead each side is reduced, in one scan that
// only hashes (no sort), to a digest per bucket of ids: the bucket's row count and the
// sum of a 64-bit hash of each row. Sums add up, so the expected side is digested a slice
// at a time and never stored whole. Only the buckets whose digests differ are
// compared row by row, which still names every missing, extra or different row.

const BUCKETS = 4096;

/** How a server hashes a row: the same expression on both sides of a comparison. */
export interface RowHashing {
  /** hash_record_extended (PostgreSQL 14+) hashes each value with its type's own hash, without rendering it as text: 2.5 × faster on mensajes. */
  byType: boolean;
}

export async function rowHashingOf(client: pg.ClientBase): Promise<RowHashing> {
  return { byType: (await serverVersionNum(client)) >= 140000 };
}

function bucketOf(spec: AnyTableSpec): string {
  return `coalesce(hashtext(${quoteIdent(spec.keptIdColumn)}::text) & ${BUCKETS - 1}, -1)`;
}

function rowHash(spec: AnyTableSpec, hashing: RowHashing): string {
  const row = `ROW(${wireColumnList(spec)})`;
  return hashing.byType ? `hash_record_extended(${row}, 0)` : `hashtextextended(${row}::text, 0)`;
}

/** Bucket -> `rows:sum`, as a string both sides compare. */
export type Digests = Map<number, string>;

interface DigestRow {
  bucket: number;
  rows: string;
  hash_sum: string;
}

/** Digests added up over slices of one side; sums of 64-bit hashes are exact in BigInt. */
export class DigestSum {
  private readonly buckets = new Map<number, { rows: number; sum: bigint }>();

  add(rows: readonly DigestRow[]): void {
    for (const r of rows) {
      const total = this.buckets.get(r.bucket);
      if (total === undefined) this.buckets.set(r.bucket, { rows: Number(r.rows), sum: BigInt(r.hash_sum) });
      else {
        total.rows += Number(r.rows);
        total.sum += BigInt(r.hash_sum);
      }
    }
  }

  get rows(): number {
    let rows = 0;
    for (const total of this.buckets.values()) rows += total.rows;
    return rows;
  }

  digests(): Digests {
    return new Map([...this.buckets].map(([bucket, total]) => [bucket, `${total.rows}:${total.sum}`]));
  }
}

function digestSql(spec: AnyTableSpec, table: string, hashing: RowHashing): string {
  return `SELECT ${bucketOf(spec)} AS bucket, count(*)::text AS rows, sum(${rowHash(spec, hashing)})::text AS hash_sum FROM ${table} GROUP BY 1`;
}

/** The digests of a whole table, in one scan. */
export async function tableDigests(client: pg.ClientBase, spec: AnyTableSpec, table: string, hashing: RowHashing): Promise<DigestSum> {
  const sum = new DigestSum();
  sum.add((await client.query<DigestRow>(digestSql(spec, table, hashing))).rows);
  return sum;
}

/** Adds a slice's digests to `sum` and empties the slice, in one round trip. */
export async function addSliceDigests(client: pg.ClientBase, spec: AnyTableSpec, slice: string, hashing: RowHashing, sum: DigestSum): Promise<void> {
  const results = (await client.query(`${digestSql(spec, slice, hashing)}; TRUNCATE ${slice}`)) as unknown as pg.QueryResult<DigestRow>[];
  sum.add(results[0]!.rows);
}

/** Keeps the slice's rows that fall in the given buckets, and empties the slice. */
export async function keepSliceBuckets(client: pg.ClientBase, spec: AnyTableSpec, slice: string, kept: string, buckets: readonly number[]): Promise<void> {
  await client.query(`INSERT INTO ${kept} SELECT * FROM ${slice} WHERE ${bucketOf(spec)} = ANY('{${buckets.join(',')}}'::int[]); TRUNCATE ${slice}`);
}

/** The buckets of ids where the two sides hold different rows. */
export function differingBuckets(left: Digests, right: Digests): number[] {
  const differ: number[] = [];
  for (const bucket of new Set([...left.keys(), ...right.keys()])) if (left.get(bucket) !== right.get(bucket)) differ.push(bucket);
  return differ.sort((x, y) => x - y);
}

/** Rows of `from` that `minus` lacks, within the given buckets only: the total and a few ids. */
export async function rowsNotIn(
  client: pg.ClientBase,
  spec: AnyTableSpec,
  from: string,
  minus: string,
  buckets: readonly number[],
  sample: number,
): Promise<{ total: number; ids: string[] }> {
  if (buckets.length === 0) return { total: 0, ids: [] };
  const columns = wireColumnList(spec);
  const id = quoteIdent(spec.keptIdColumn);
  const within = `WHERE ${bucketOf(spec)} = ANY($1::int[])`;
  const { rows } = await client.query<{ id: string; total: string }>(
    `SELECT ${id}::text AS id, count(*) OVER () AS total FROM (SELECT ${columns} FROM ${from} ${within} EXCEPT ALL SELECT ${columns} FROM ${minus} ${within}) d ORDER BY 1 LIMIT ${sample}`,
    [buckets],
  );
  return { total: rows.length > 0 ? Number(rows[0]!.total) : 0, ids: rows.map((r) => r.id) };
}
