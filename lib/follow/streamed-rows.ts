import { Readable } from 'node:stream';
import { encodeField } from '../pg/copy-text.js';
import { sourceFields } from '../table-spec/field-order.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { followsByRow } from './table-follow-kinds.js';

/**
 * A source row as the stream brought it: its fields as the source's COPY of the table's
 * SELECT sends them (COPY text, newline included) but for the prepared join's value,
 * which the follow knows, not the stream: it goes at `split`.
 */
export interface StreamedRow {
  line: Buffer;
  /** Where the prepared join's value goes in `line`; -1 when the table has none. */
  split: number;
  /** The row's key of the prepared join (its user), or null. */
  key: string | null;
}

/** The source tables whose rows a batch keeps. */
export interface StreamedRows {
  tables: ReadonlySet<string>;
  /**
   * Bytes of rows a batch keeps at most: past them its rows are read at the source, so
   * that one source transaction of a million inserts (taken in whole) does not sit in memory.
   */
  budgetBytes: number;
}

/**
 * How a table's expected rows are made from the rows the stream brought instead of a
 * read of the source: each field of the source SELECT is a column of the streamed row,
 * or the prepared join's value for the row's key (a user's phone, kept by the follow).
 */
export interface StreamedSource {
  /** The source columns a streamed row must carry. */
  columns: readonly string[];
  /** The SELECT's fields in order: a source column, or the prepared join's value of the key in `key`. */
  fields: readonly ({ column: string } | { preparedKey: string })[];
}

/** A table whose rows are kept: how its SELECT's fields are made, and its id column. */
export interface StreamedTable {
  source: StreamedSource;
  idColumn: string;
}

// The alias' columns of a prepared join (prepared-join.ts, JoinClause): clave, valor.
const PREPARED_VALUE = 'valor';

/**
 * The table's streamed source, when its rows can come from the stream: one target row per
 * source row under its id (followsByRow), no condition on the source (a row of the
 * table is any row of its source table), and no field read from elsewhere but the
 * prepared join's value by a plain column of the row.
 */
export function streamedSource(spec: AnyTableSpec): StreamedSource | undefined {
  const { source } = spec;
  if (!followsByRow(spec) || source.where !== undefined) return undefined;
  const prepared = source.prepared;
  const keyColumn = prepared === undefined ? undefined : new RegExp(`^${source.alias}\\.(\\w+)$`).exec(prepared.keyExpression)?.[1];
  const fields: StreamedSource['fields'][number][] = [];
  for (const field of sourceFields(spec)) {
    const lookup = source.lookups?.[field];
    if (lookup === undefined) fields.push({ column: field });
    else if (prepared !== undefined && keyColumn !== undefined && source.columns.includes(keyColumn) && lookup === `${prepared.alias}.${PREPARED_VALUE}`) fields.push({ preparedKey: keyColumn });
    else return undefined;
  }
  const columns = [...new Set(fields.map((f) => ('column' in f ? f.column : f.preparedKey)))];
  return { columns, fields };
}

/** The tables whose rows the stream brings whole, by source table, for the specs that can use them. */
export function streamedTables(specs: readonly AnyTableSpec[]): Map<string, StreamedTable> {
  const tables = new Map<string, StreamedTable>();
  for (const spec of specs) {
    const source = streamedSource(spec);
    if (source !== undefined) tables.set(spec.source.table, { source, idColumn: spec.source.idColumn });
  }
  return tables;
}

// Bytes of COPY text per chunk handed to the transform.
const CHUNK_BYTES = 64 * 1024;

/**
 * The rows as the source's COPY of the table's SELECT would send them, the prepared
 * join's value of each row's key from `preparedValues` (a key without one is NULL, as
 * the LEFT JOIN gives). Written into one buffer per chunk rather than a buffer per row and
 * per value joined by a concat (3 % of the follower's profile; no change the replays can see).
 */
export function streamedCopyText(rows: readonly StreamedRow[], preparedValues: ReadonlyMap<string, string | null>): Readable {
  function* chunks(): Generator<Buffer> {
    let out = Buffer.allocUnsafe(CHUNK_BYTES);
    let n = 0;
    for (const { line, split, key } of rows) {
      const value = split < 0 ? '' : encodeField(key === null ? null : (preparedValues.get(key) ?? null));
      // A value's UTF-8 takes at most three bytes per UTF-16 unit.
      const needed = line.length + 3 * value.length;
      if (n + needed > out.length) {
        if (n > 0) yield out.subarray(0, n);
        out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, needed));
        n = 0;
      }
      if (split < 0) n += line.copy(out, n);
      else {
        n += line.copy(out, n, 0, split);
        n += out.write(value, n);
        n += line.copy(out, n, split);
      }
    }
    if (n > 0) yield out.subarray(0, n);
  }
  return Readable.from(chunks(), { objectMode: false });
}
