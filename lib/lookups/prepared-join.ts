import type pg from 'pg';
import { escapeLiteralText } from '../pg/quote.js';
import { arrayElement } from '../pg/text-array.js';
import { streamRows } from '../pg/query-stream.js';
import { streamCopyRows } from '../pg/copy-text-rows.js';
import type { AnyTableSpec, PreparedJoin } from '../table-spec/spec.js';
import { UuidKeyedValues } from '../engine/uuid-keyed-values.js';

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

  /** One element, always quoted: backslash and double quote escaped for the array (text-array.ts), then the whole for the SQL literal. */
  add(value: string): void {
    const element = arrayElement(value);
    // Uuids and E.164 phones never need escaping: the test is cheaper than two replaces.
    this.raw((this.count++ > 0 ? ',' : '') + (/[\\']/.test(element) ? escapeLiteralText(element) : element));
  }

  toString(): string {
    this.raw("}'");
    return this.buf.toString('utf8', 0, this.length);
  }
}

/**
 * A prepared join's values, read once per table on the source session (inside the
 * snapshot) with its rule applied once per row. The binary copy looks them up itself
 * (UuidKeyedValues); any other copy sends them as the JOIN clause of its SELECT.
 */
export class PreparedValues {
  private clause: string | undefined;

  constructor(
    readonly join: PreparedJoin,
    readonly values: UuidKeyedValues,
  ) {}

  /** The JOIN clause carrying the values, built on first use. */
  sql(): string {
    if (this.clause === undefined) {
      const clause = new JoinClause(this.join);
      for (let e = 0; e < this.values.count; e++) clause.add(this.values.key(this.values.entry(e)), this.values.value(this.values.entry(e)));
      this.clause = clause.toString();
    }
    return this.clause;
  }
}

async function readValues(source: pg.ClientBase, join: PreparedJoin): Promise<PreparedValues> {
  const values = new UuidKeyedValues();
  // No memo: phones are nearly all distinct per user, a cache would only hold memory.
  // Keys with no value are left out: the lookup, like the LEFT JOIN, gives NULL.
  await streamCopyRows(source, join.query, ([key, raw]) => {
    const value = join.value(raw);
    if (value !== null) values.add(key!, value);
  });
  return new PreparedValues(join, values);
}

/** The JOIN clause of a prepared join, carrying its values as two arrays. Keys with no value are left out: the LEFT JOIN gives NULL. */
class JoinClause {
  private readonly keys = new ArrayLiteral();
  private readonly values = new ArrayLiteral();

  constructor(private readonly join: PreparedJoin) {}

  add(key: string, value: string | null): void {
    if (value === null) return;
    this.keys.add(key);
    this.values.add(value);
  }

  toString(): string {
    // The GROUP BY is not for the data (keys are unique) but for the planner: a function
    // scan has no statistics, so PostgreSQL assumes few distinct keys and hashes the big
    // table instead (spilling 1M messages to disk: 2.1 s instead of 0.65 s). A grouped
    // subquery is known to be unique on its key, and the small side gets hashed.
    const unnest = `unnest(${this.keys.toString()}::uuid[], ${this.values.toString()}::text[]) AS valores(clave, valor)`;
    return `LEFT JOIN (SELECT clave, min(valor) AS valor FROM ${unnest} GROUP BY clave) AS ${this.join.alias} ON ${this.join.alias}.clave = ${this.join.keyExpression}`;
  }
}

/** The JOIN clause of values already known (the follow mode keeps them): no value computed again. */
export function preparedJoinFromValues(join: PreparedJoin, values: ReadonlyMap<string, string | null>): string {
  const clause = new JoinClause(join);
  for (const [key, value] of values) clause.add(key, value);
  return clause.toString();
}

/** The table's prepared join values, or undefined for a table without one. */
export async function readPreparedJoin(spec: AnyTableSpec, source: pg.ClientBase): Promise<PreparedValues | undefined> {
  return spec.source.prepared ? await readValues(source, spec.source.prepared) : undefined;
}

/** The table's prepared join clause, or undefined for a table without one. */
export async function preparedJoinSql(spec: AnyTableSpec, source: pg.ClientBase): Promise<string | undefined> {
  return (await readPreparedJoin(spec, source))?.sql();
}

/** The prepared join's values of `keys` as they are now on the source (absent keys have none). */
export async function preparedValues(source: pg.ClientBase, join: PreparedJoin, keys: readonly string[]): Promise<Map<string, string | null>> {
  const values = new Map<string, string | null>();
  const query = `SELECT * FROM (${join.query}) AS q(clave, valor) WHERE q.clave = ANY($1::uuid[])`;
  await streamRows<[string, string | null]>(source, query, ([key, raw]) => void values.set(key, join.value(raw)), [keys]);
  return values;
}
