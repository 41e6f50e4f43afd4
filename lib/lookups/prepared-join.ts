import type pg from 'pg';
import { escapeLiteralText } from '../pg/quote.js';
import { streamRows } from '../pg/query-stream.js';
import type { AnyTableSpec, PreparedJoin } from '../table-spec/spec.js';

/**
 * A PostgreSQL array literal, already quoted as an SQL escape string (E'...', read the
 * same whatever standard_conforming_strings says), built in one growing buffer: a JavaScript array of small strings costs about five times the text it holds
 * (260 MB for a million users, against 55 MB of text).
 */
export class ArrayLiteral {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  count = 0;

  constructor() {
    this.raw("E'{");
  }

  private raw(text: string): void {
    const needed = this.length + Buffer.byteLength(text);
    if (needed > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.length += this.buf.write(text, this.length);
  }

  /** One element, always quoted: backslash and double quote escaped for the array, then the whole for the SQL literal. */
  add(value: string): void {
    // Uuids and E.164 phones never need escaping: the test is cheaper than two replaces.
    const escaped = /[\\"']/.test(value) ? escapeLiteralText(value.replace(/[\\"]/g, (c) => '\\' + c)) : value;
    this.raw((this.count++ > 0 ? ',"' : '"') + escaped + '"');
  }

  toString(): string {
    this.raw("}'");
    return this.buf.toString('utf8', 0, this.length);
  }
}

/**
 * Reads the prepared join's rows on the source session (inside the snapshot), applies
 * its rule once per row, and returns the JOIN clause carrying the results as two
 * arrays. Keys with no value are left out: the LEFT JOIN gives NULL.
 */
async function buildPreparedJoin(source: pg.ClientBase, join: PreparedJoin, keysIn?: string): Promise<{ sql: string; rows: number }> {
  const keys = new ArrayLiteral();
  const values = new ArrayLiteral();
  const query = keysIn === undefined ? join.query : `SELECT * FROM (${join.query}) AS q(clave, valor) WHERE q.clave IN (${keysIn})`;
  await streamRows<[string, string | null]>(source, query, ([key, raw]) => {
    // No memo: phones are nearly all distinct per user, a cache would only hold memory.
    const value = join.value(raw);
    if (value === null) return;
    keys.add(key);
    values.add(value);
  });
  // The GROUP BY is not for the data (keys are unique) but for the planner: a function
  // scan has no statistics, so PostgreSQL assumes few distinct keys and hashes the big
  // table instead (spilling 1M messages to disk: 2.1 s instead of 0.65 s). A grouped
  // subquery is known to be unique on its key, and the small side gets hashed.
  const rows = keys.count;
  const unnest = `unnest(${keys.toString()}::uuid[], ${values.toString()}::text[]) AS valores(clave, valor)`;
  const sql = `LEFT JOIN (SELECT clave, min(valor) AS valor FROM ${unnest} GROUP BY clave) AS ${join.alias} ON ${join.alias}.clave = ${join.keyExpression}`;
  return { sql, rows };
}

/**
 * The table's prepared join clause, or undefined for a table without one. `keysIn`, a
 * query giving keys as text, keeps only their values: the follow mode recomputes a few
 * rows and needs a few users' phones, not every user's.
 */
export async function preparedJoinSql(spec: AnyTableSpec, source: pg.ClientBase, keysIn?: string): Promise<string | undefined> {
  return spec.source.prepared ? (await buildPreparedJoin(source, spec.source.prepared, keysIn)).sql : undefined;
}

/** The prepared join's values of `keys` as they are now on the source (absent keys have none). */
export async function preparedValues(source: pg.ClientBase, join: PreparedJoin, keys: readonly string[] | null): Promise<Map<string, string | null>> {
  const values = new Map<string, string | null>();
  const query = keys === null ? join.query : `SELECT * FROM (${join.query}) AS q(clave, valor) WHERE q.clave = ANY($1::text[])`;
  await streamRows<[string, string | null]>(source, query, ([key, raw]) => void values.set(key, join.value(raw)), keys === null ? [] : [keys]);
  return values;
}
