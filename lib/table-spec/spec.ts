import type pg from 'pg';
import type { FastRule } from '../rules/types.js';

export interface ColumnSpec {
  /** Target column name. */
  name: string;
  /** Its DDL: type, NOT NULL, DEFAULT, CHECK. */
  type: string;
  /** The source field it reads (a source column or a lookup); defaults to none. */
  from?: string;
  /** The rule; no rule means the COPY bytes pass through unchanged. */
  rule?: FastRule;
  /** The rule depends only on the value: cache its result per distinct raw value. */
  memo?: boolean;
}

export interface SourceSpec {
  /** The legacy table. */
  table: string;
  /** Every column of the legacy table, in its order: the reject file's columns. */
  columns: readonly string[];
  /** The alias the legacy table has in the SELECT. */
  alias: string;
  /** Joins for source-side lookups. */
  joins?: string;
  /** Which rows this table reads (proveedores: the provider users only). */
  where?: string;
  /** The keep rule for duplicates: the first row seen for a key wins. */
  orderBy?: string;
  /** Extra fields computed in the SELECT (name -> SQL expression), e.g. a joined phone. */
  lookups?: Record<string, string>;
  /** A join whose values the tool computes itself before the copy (see PreparedJoin). */
  prepared?: PreparedJoin;
  /** The source column reported as `id_origen` in the reject file. */
  idColumn: string;
  /**
   * The source primary key used to copy a large table in ranges that commit one by one
   * (resumable). Only for tables without UNIQUE keys to deduplicate: duplicate detection
   * needs the whole table in one pass.
   */
  rangeKey?: string;
}

/**
 * A source-side lookup whose value needs the tool's own rules (a phone normalized by
 * libphonenumber): before the copy, `query` is read on the source session, inside the
 * run's snapshot, `value` is applied once per row of it, and the results are joined in
 * the COPY's SELECT as `LEFT JOIN unnest(keys, values) AS <alias>(clave, valor)`. The
 * database does the per-row lookup; the transform only sees the finished value.
 */
export interface PreparedJoin {
  alias: string;
  /**
   * Returns (key, raw value) rows; the key is a uuid column as it is, not cast: the follow
   * mode asks for a few keys at a time (preparedValues), and only a plain column reaches
   * its index (cast to text, every batch read all of users: 26 ms at 50,000 users).
   */
  query: string;
  /** The source expression joined to the key, e.g. `m.user_id`. */
  keyExpression: string;
  /** Source columns the query reads, checked before the run like every other. */
  requires: Record<string, string[]>;
  value: (raw: string | null) => string | null;
}

export interface ForeignKeySpec {
  columns: string[];
  references: string;
  referencedColumns: string[];
  onDelete: 'CASCADE' | 'SET NULL';
}

/**
 * Rules that read tables this migration wrote before: the tables they read (the table
 * waits for them, and the load order follows from them), how to load what they need
 * from the target, and the rules built over it, by target column.
 */
export interface TargetLookups<L> {
  reads: readonly string[];
  /**
   * The columns of each table in `reads` that `load` reads. The follow mode recomputes
   * this table when rows of a parent come or go, or these columns change; without an
   * entry, on any change of that parent.
   */
  readColumns?: Record<string, readonly string[]>;
  /**
   * Parents that a row's rules read only at the row's own reference: the parent row whose
   * key is this target column's value, the column written from a source column as it is
   * (proveedor_id: is that proveedor migrated?). When rows of such a parent come or go,
   * the follow mode recomputes only the rows that reference them, not the whole table.
   */
  readsByReference?: Record<string, string>;
  load: (target: pg.ClientBase) => Promise<L>;
  rules: (lookups: L) => Record<string, FastRule>;
}

export interface TableSpec<L = void> {
  target: string;
  source: SourceSpec;
  columns: ColumnSpec[];
  primaryKey: string[];
  /** UNIQUE keys of the target; rows that repeat a key are rejected as `duplicado`. */
  unique?: string[][];
  foreignKeys?: ForeignKeySpec[];
  /** Secondary indexes: name -> columns. */
  indexes: Record<string, string[]>;
  /** A SERIAL column whose sequence must be set past the largest copied id. */
  serial?: string;
  /** The target column that names the kept row in `duplicado` details. */
  keptIdColumn: string;
  /** Target-side lookups (migrated proveedores, clientes by phone...), loaded when the table starts. */
  targetLookups?: TargetLookups<L>;
}

// A spec's lookup type only matters inside its own module; the engine treats them alike.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTableSpec = TableSpec<any>;
