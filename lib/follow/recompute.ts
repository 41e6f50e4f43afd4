import type pg from 'pg';
import { copyRows, type CopiedRows, type CopyRowsOptions } from '../load/copy-rows.js';
import { loadLookupRules } from '../lookups/target-lookups.js';
import { ArrayLiteral, preparedJoinFromValues, preparedJoinSql } from '../lookups/prepared-join.js';
import { inOneTrip } from '../pg/one-trip.js';
import { quoteIdent } from '../pg/quote.js';
import { textArray } from '../pg/text-array.js';
import { rejectDecoder, type RejectRecord } from '../rejects/reject-csv.js';
import { setSerialPastRows } from '../schema/rebuild.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { KeptValues } from './kept-values.js';
import type { Scope } from './scopes.js';
import { followsByRow, preparedTable } from './table-follow-kinds.js';
import type { FastRule } from '../rules/types.js';
import { streamedCopyText, streamedSource, type StreamedRow, type StreamedSource } from './streamed-rows.js';

/** What recomputing a scope did to the target table, and the rejects worth reporting. */
export interface Recomputed {
  deleted: number;
  updated: number;
  inserted: number;
  /** Rejected rows of changed source rows, or of rows the target held until now. */
  rejects: RejectRecord[];
  /** Keys of child rows (by child table) that the deletes took with them (ON DELETE CASCADE). */
  cascaded: Map<string, string[]>;
  /** Columns whose value an update changed (measured when `watchColumns`). */
  updatedColumns: Set<string>;
  /** Keys of the rows that came or went (deleted, inserted, or deleted and inserted again), when `trackMoved`. */
  movedKeys?: Set<string>;
}

/** A table whose foreign key points at the one recomputed: its rows may go with a deleted parent. */
export interface ChildTable {
  table: string;
  column: string;
  key: string;
}

export interface RecomputeScopeOptions {
  /** Source ids the batch changed. */
  touched: ReadonlySet<string>;
  /** Keys of this table's rows that the target held before the batch and lost on the way (cascades). */
  held?: ReadonlySet<string>;
  children?: readonly ChildTable[];
  /** Say which columns the updates change: other tables read this one. */
  watchColumns?: boolean;
  /** Say which rows came or went: other tables read this one by reference (`readsByReference`). */
  trackMoved?: boolean;
  /** Source ids the batch inserted (a subset of `touched`). */
  inserted?: ReadonlySet<string>;
  /** What the stream says the changed rows are now (null: deleted), where it says all of them (changes.ts): those are not read at the source. */
  streamed?: ReadonlyMap<string, StreamedRow | null>;
}

/** Sessions of one apply: the source in one consistent read, the target in the apply transaction. */
export interface RecomputeSessions {
  source: pg.ClientBase;
  target: pg.ClientBase;
  /** SQL type of a column (`uuid`, `integer`), to compare with an array of its values. */
  typeOf: (client: pg.ClientBase, table: string, column: string) => Promise<string>;
  /** The prepared joins' values the follow keeps, for this follow's applies. */
  values: KeptValues;
  /** Told as the apply starts its long write (the new rows' COPY): the follower reads the stream meanwhile. */
  onLongWrite?: () => void;
}

/** The sessions of an apply, with each column's type read once and kept. */
export function recomputeSessions(source: pg.ClientBase, target: pg.ClientBase): RecomputeSessions {
  const types = new Map<string, string>();
  const typeOf = async (client: pg.ClientBase, table: string, column: string): Promise<string> => {
    const key = `${client === target ? 'destino' : 'origen'}:${table}.${column}`;
    let type = types.get(key);
    if (type === undefined) {
      const { rows } = await client.query<{ type: string }>('SELECT format_type(atttypid, NULL) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2', [quoteIdent(table), column]);
      types.set(key, (type = rows[0]?.type ?? 'text'));
    }
    return type;
  };
  return { source, target, typeOf, values: new KeptValues() };
}

/** Values as an SQL array of `type`, quoted as the prepared join quotes its arrays (the COPY query takes no parameters). */
function arrayLiteral(values: Iterable<string>, type: string): string {
  const literal = new ArrayLiteral();
  for (const value of values) literal.add(value);
  return `${literal.toString()}::${type}[]`;
}

/** Source rows by their id, as a condition on the source's SELECT. */
export async function sourceIdsCondition(sessions: RecomputeSessions, spec: AnyTableSpec, ids: Iterable<string>): Promise<string> {
  const { alias, idColumn, table } = spec.source;
  return `${alias}.${quoteIdent(idColumn)} = ANY(${arrayLiteral(ids, await sessions.typeOf(sessions.source, table, idColumn))})`;
}

/** The source rows of a scope, as a condition on the source's SELECT. */
async function sourceCondition(sessions: RecomputeSessions, spec: AnyTableSpec, scope: Scope): Promise<string | undefined> {
  if (scope.whole) return undefined;
  const { prepared } = spec.source;
  const parts: string[] = [];
  if (scope.ids.size > 0) parts.push(await sourceIdsCondition(sessions, spec, scope.ids));
  if (scope.keys.size > 0 && prepared !== undefined) parts.push(`(${prepared.keyExpression})::text = ANY(${arrayLiteral(scope.keys, 'text')})`);
  for (const { column, values } of scope.references ?? []) {
    parts.push(`${spec.source.alias}.${quoteIdent(column)} = ANY(${arrayLiteral(values, await sessions.typeOf(sessions.source, spec.source.table, column))})`);
  }
  return parts.join(' OR ');
}

/**
 * The prepared join of the scope's rows (a phone per user), from the values the follow
 * keeps: changedKeys brought them to the source's present for every user this batch
 * changed, and the others have not changed since. Normalizing the phones again cost a
 * quarter of a 10,000-message batch (0.3 of 1.2 s).
 */
async function scopeJoin(sessions: RecomputeSessions, spec: AnyTableSpec, where: string): Promise<string | undefined> {
  const { prepared, table, alias } = spec.source;
  if (prepared === undefined) return undefined;
  const { rows } = await sessions.source.query<{ key: string | null }>(`SELECT DISTINCT (${prepared.keyExpression})::text AS key FROM ${quoteIdent(table)} ${alias} WHERE ${where}`);
  const keys = rows.flatMap((r) => (r.key === null ? [] : [r.key]));
  const values = keys.length === 0 ? new Map<string, string | null>() : await sessions.values.read(sessions.target, preparedTable(spec)!, keys);
  // The join carries these keys alone: the memory holds others.
  return preparedJoinFromValues(prepared, new Map(keys.map((key) => [key, values.get(key) ?? null])));
}

/**
 * Runs the scope's rows through the table's rules, as the bulk copy does, and makes the
 * target's rows of the scope exactly those: rows inserted at the source that the target
 * does not hold are copied straight in (copyFreshRows); the others go through a temporary
 * table, rows no longer produced are deleted, changed ones updated in place (a parent's
 * id stays, so its children are not cascaded away), new ones inserted. Inside the
 * caller's transaction. A row the stream brought whole is taken as the stream has it at
 * the end of the batch; the others are read at the source as they are now, which may be
 * later: either way a later batch carries what changed since, and applying twice writes
 * the same rows.
 */
export async function recomputeScope(sessions: RecomputeSessions, spec: AnyTableSpec, scope: Scope, options: RecomputeScopeOptions): Promise<Recomputed> {
  const lookupRules = await loadLookupRules(spec, sessions.target);
  scope = await withCarriedRows(sessions, spec, scope);
  const streamed = scope.whole ? undefined : await streamedScope(sessions, spec, scope, options.streamed);
  const fresh = await copyFreshRows(sessions, spec, scope, options, lookupRules, streamed);
  if (fresh === null || scope.whole) return recomputeRows(sessions, spec, scope, options, lookupRules, { streamed });
  // The rest of the scope, without the rows just copied: they are not to be deleted as
  // rows the recompute did not produce. The prepared join read for the copy serves it too.
  const rest = await recomputeRows(sessions, spec, { ...scope, ids: without(scope.ids, fresh.ids) }, { ...options, touched: without(options.touched, fresh.ids) }, lookupRules, {
    preparedJoin: fresh.preparedJoin,
    streamed,
  });
  return {
    ...rest,
    inserted: rest.inserted + fresh.inserted,
    rejects: [...fresh.rejects, ...rest.rejects],
    ...(rest.movedKeys !== undefined ? { movedKeys: new Set([...rest.movedKeys, ...(fresh.keys ?? [])]) } : {}),
  };
}

function without(values: ReadonlySet<string>, gone: ReadonlySet<string>): Set<string> {
  return new Set([...values].filter((value) => !gone.has(value)));
}

/** The rows of a scope that the stream brought whole (null: deleted), with the prepared join's values they need. */
interface StreamedScope {
  source: StreamedSource;
  rows: ReadonlyMap<string, StreamedRow | null>;
  preparedValues: ReadonlyMap<string, string | null>;
}

/**
 * The scope's ids whose rows the stream brought, for a table whose rows can come from it,
 * with the prepared join's values of their keys as the follow keeps them (changedKeys
 * brought those of this batch's users to the source's present).
 */
async function streamedScope(sessions: RecomputeSessions, spec: AnyTableSpec, scope: Scope & { whole: false }, rows: ReadonlyMap<string, StreamedRow | null> | undefined): Promise<StreamedScope | undefined> {
  const source = rows === undefined || rows.size === 0 ? undefined : streamedSource(spec);
  if (source === undefined) return undefined;
  // A batch keeps rows of ids it changed, all in its scope: the map is taken as it is
  // unless a row falls outside (then the rows of the scope are copied out).
  let inScope: ReadonlyMap<string, StreamedRow | null> = rows!;
  for (const id of rows!.keys()) {
    if (scope.ids.has(id)) continue;
    inScope = new Map([...rows!].filter(([kept]) => scope.ids.has(kept)));
    break;
  }
  if (inScope.size === 0) return undefined;
  const joined = preparedTable(spec);
  const preparedValues = joined === undefined ? new Map<string, string | null>() : await sessions.values.read(sessions.target, joined, rowKeys(inScope.values()));
  return { source, rows: inScope, preparedValues };
}

/** The prepared join's keys of rows, repeats included. */
function* rowKeys(rows: Iterable<StreamedRow | null>): Generator<string> {
  for (const row of rows) if (row !== null && row.key !== null) yield row.key;
}

/** The rows the stream brought of `ids`, leaving out those it says are gone. */
function presentRows(streamed: StreamedScope | undefined, ids: Iterable<string>): StreamedRow[] {
  const rows: StreamedRow[] = [];
  for (const id of ids) {
    const row = streamed?.rows.get(id);
    if (row !== undefined && row !== null) rows.push(row);
  }
  return rows;
}

/** The scope without the rows the stream brought: what is left to read at the source. */
function sourceScope(scope: Scope, streamed: StreamedScope | undefined): Scope {
  if (scope.whole || streamed === undefined) return scope;
  return { ...scope, ids: new Set([...scope.ids].filter((id) => !streamed.rows.has(id))) };
}

/** Rows of inserted source ids that the target does not hold, copied straight into the table. */
interface FreshRows {
  ids: ReadonlySet<string>;
  inserted: number;
  rejects: RejectRecord[];
  /** The keys written, when `trackMoved`. */
  keys?: string[];
  /** The prepared join of the rest of the scope's rows read at the source, or none to read there. */
  preparedJoin: string | undefined;
}

/** The scope with the rows that carry a changed key's old value (`carried`) named by id, found by the target's own index. */
async function withCarriedRows(sessions: RecomputeSessions, spec: AnyTableSpec, scope: Scope): Promise<Scope> {
  if (scope.whole || scope.carried === undefined) return scope;
  const { column, values } = scope.carried;
  const { rows } = await sessions.target.query<{ id: string }>(`SELECT ${quoteIdent(spec.primaryKey[0]!)}::text AS id FROM ${quoteIdent(spec.target)} WHERE ${quoteIdent(column)} = ANY($1::text[])`, [[...values]]);
  return { ...scope, ids: new Set([...scope.ids, ...rows.map((r) => r.id)]), carried: undefined };
}

/**
 * Most changes of a busy source are new rows (messages). Their rows are copied straight
 * into the target table, as the bulk copy does, instead of through the temporary table
 * that a recompute compares with: for 8,600 new messages that saved the temporary table's
 * COPY and ANALYZE, ~100 of ~350 ms. Only ids the target does not hold: a row inserted on
 * the source may already be there, written by an earlier batch that read the source after
 * the insert (a recompute of the user's rows, a whole table). A row the stream brought is
 * taken from it (no read of the source), unless the stream says it is gone again.
 */
async function copyFreshRows(
  sessions: RecomputeSessions,
  spec: AnyTableSpec,
  scope: Scope,
  options: RecomputeScopeOptions,
  lookupRules: Record<string, FastRule>,
  streamed: StreamedScope | undefined,
): Promise<FreshRows | null> {
  if (scope.whole || scope.groups === true || !followsByRow(spec) || options.inserted === undefined || options.inserted.size === 0) return null;
  const candidates = [...options.inserted].filter((id) => scope.ids.has(id) && streamed?.rows.get(id) !== null);
  if (candidates.length === 0) return null;
  const { target } = sessions;
  const key = spec.primaryKey[0]!;
  const type = await sessions.typeOf(target, spec.target, key);
  /** Which of `ids` the target table holds. */
  const heldKeys = async (ids: string[]): Promise<string[]> =>
    (await target.query<{ id: string }>(`SELECT ${quoteIdent(key)}::text AS id FROM ${quoteIdent(spec.target)} WHERE ${quoteIdent(key)} = ANY($1::text[]::${type}[])`, [textArray(ids)])).rows.map((r) => r.id);
  // The target's check and the source's read of the users of the whole scope at once (what
  // of it the stream did not bring): the join then carries the users of rows that go the
  // other way, which changes nothing, and serves the rest of the scope (one read of the
  // users and their stored values, not two).
  const [present, preparedJoin] = await Promise.all([heldKeys(candidates).then((found) => new Set(found)), sourceJoin(sessions, spec, sourceScope(scope, streamed))]);
  const ids = new Set(candidates.filter((id) => !present.has(id)));
  if (ids.size === 0) return null;
  const rejects: RejectRecord[] = [];
  const copy = scopeCopy(spec, target, lookupRules, rejects, { preparedJoin });
  const fromStream = presentRows(streamed, ids);
  const atSource = [...ids].filter((id) => streamed?.rows.get(id) === undefined);
  let inserted = 0;
  if (fromStream.length > 0) {
    sessions.onLongWrite?.();
    inserted += (await copy({ input: streamedCopyText(fromStream, streamed!.preparedValues) })).serverRows;
  }
  if (atSource.length > 0) inserted += (await copy({ source: sessions.source, rangeWhere: await sourceIdsCondition(sessions, spec, atSource) })).serverRows;
  if (inserted > 0) await setSerialPastRows(target, spec);
  const keys = options.trackMoved === true ? await heldKeys([...ids]) : undefined;
  return { ids, inserted, rejects, ...(keys !== undefined ? { keys } : {}), preparedJoin };
}

/**
 * Copies rows of a scope through the table's rules into the target (`into`: a temporary
 * table instead of the table), from the stream (`input`) or the source, each rejected row
 * decoded into `rejects`, to be reported with the batch.
 */
function scopeCopy(
  spec: AnyTableSpec,
  target: pg.ClientBase,
  lookupRules: Record<string, FastRule>,
  rejects: RejectRecord[],
  fixed: Pick<CopyRowsOptions, 'into' | 'preparedJoin'>,
): (input: Pick<CopyRowsOptions, 'input' | 'source' | 'rangeWhere' | 'preparedJoin'>) => Promise<CopiedRows> {
  const decode = rejectDecoder(spec);
  return (input) => copyRows({ spec, target, rejects: { write: (r) => void rejects.push(decode(r.reason, r.detail, r.row)), ready: () => null }, lookupRules, ...fixed, ...input });
}

/** The prepared join of the scope's rows read at the source, or undefined when it reads none there (or has no prepared join). */
async function sourceJoin(sessions: RecomputeSessions, spec: AnyTableSpec, scope: Scope): Promise<string | undefined> {
  const where = await sourceCondition(sessions, spec, scope);
  return where === undefined || where === '' ? undefined : scopeJoin(sessions, spec, where);
}

/**
 * The scope's rows through the temporary table: every row the target holds in the scope
 * is compared with what the rules produce now.
 */
async function recomputeRows(
  sessions: RecomputeSessions,
  spec: AnyTableSpec,
  scope: Scope,
  options: RecomputeScopeOptions,
  lookupRules: Record<string, FastRule>,
  /** The prepared join of the rows read at the source, when already read; the scope's rows the stream brought. */
  inputs: { preparedJoin?: string; streamed?: StreamedScope | undefined },
): Promise<Recomputed> {
  const { touched } = options;
  const { target } = sessions;
  const streamedRows = scope.whole ? [] : [...scope.ids].flatMap((id) => (inputs.streamed?.rows.has(id) === true ? [id] : []));
  let where = await sourceCondition(sessions, spec, sourceScope(scope, inputs.streamed));
  // A row the stream brought may also be a row of a changed key (its user's): read once, from the stream.
  if (where !== undefined && where !== '' && streamedRows.length > 0) where = `(${where}) AND NOT (${await sourceIdsCondition(sessions, spec, streamedRows)})`;
  // A changed key whose rows the target does not hold (a user without messages): nothing to recompute.
  if (where === '' && streamedRows.length === 0) return { deleted: 0, updated: 0, inserted: 0, rejects: [], cascaded: new Map(), updatedColumns: new Set(), ...(options.trackMoved === true ? { movedKeys: new Set<string>() } : {}) };
  const table = quoteIdent(spec.target);
  const expected = quoteIdent(`esperado_${spec.target}`);
  await inOneTrip(target, [`DROP TABLE IF EXISTS pg_temp.${expected}`, `CREATE TEMP TABLE ${expected} (LIKE ${table}) ON COMMIT DROP`]);
  const rejected: RejectRecord[] = [];
  const copy = scopeCopy(spec, target, lookupRules, rejected, { into: `pg_temp.${expected}` });
  const present = presentRows(inputs.streamed, streamedRows);
  if (present.length > 0) await copy({ input: streamedCopyText(present, inputs.streamed!.preparedValues) });
  if (where !== '') {
    const { source } = sessions;
    const preparedJoin = where === undefined ? await preparedJoinSql(spec, source) : (inputs.preparedJoin ?? (await scopeJoin(sessions, spec, where)));
    await copy({ source, preparedJoin, rangeWhere: where });
  }
  const key = quoteIdent(spec.primaryKey[0]!);
  let inScope = 'true';
  if (!scope.whole) {
    // Source ids are the target's keys here (followsByRow). A row the recompute produced is
    // kept; one it did not is deleted if its source row changed, was rejected now, or is a
    // keep-rule group member (`members`).
    const ids = new Set([...touched, ...(scope.members === true ? scope.ids : []), ...rejected.map((r) => r[2]).filter((id): id is string => id !== null)]);
    inScope = `t.${key} = ANY(${arrayLiteral(ids, await sessions.typeOf(target, spec.target, spec.primaryKey[0]!))})`;
  }
  const goneWhere = `${inScope} AND NOT EXISTS (SELECT 1 FROM pg_temp.${expected} e WHERE e.${key} = t.${key})`;
  const cascades = new Cascades(table, key, options.children ?? []);
  // Without statistics the planner guesses the expected rows and may scan the whole
  // target table to join a few of them; a whole table is joined whole anyway.
  const analyze = scope.whole ? [] : [`ANALYZE pg_temp.${expected}`];
  const goneTrip = await inOneTrip<{ id: string }>(target, [...analyze, ...cascades.queries(goneWhere), `DELETE FROM ${table} t WHERE ${goneWhere} RETURNING t.${key}::text AS id`]);
  const gone = goneTrip.at(-1)!;
  cascades.note(goneTrip.slice(analyze.length, -1));
  const columns = spec.columns.map((c) => quoteIdent(c.name));
  const insert = `INSERT INTO ${table} SELECT * FROM pg_temp.${expected} e WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.${key} = e.${key})${options.trackMoved === true ? ` RETURNING ${key}::text AS id` : ''}`;
  const updated = await updateAndInsert(target, { table, expected, key, columns }, cascades, options.watchColumns === true ? spec : undefined, insert);
  const inserted = updated.inserted;
  if ((gone.rowCount ?? 0) + (inserted.rowCount ?? 0) > 0) await setSerialPastRows(target, spec);
  // A reject is news for a row that changed at the source or that the target held until now.
  const news = new Set([...touched, ...(options.held ?? []), ...gone.rows.map((r) => r.id)]);
  return {
    deleted: gone.rowCount ?? 0,
    updated: updated.count,
    inserted: inserted.rowCount ?? 0,
    rejects: rejected.filter((r) => r[2] !== null && news.has(r[2])),
    cascaded: cascades.found,
    updatedColumns: updated.columns,
    ...(options.trackMoved === true ? { movedKeys: new Set([...gone.rows, ...updated.removed, ...inserted.rows].map((r) => r.id)) } : {}),
  };
}

/** The rows of the target table a delete or update will take away, and the child rows that go with them (ON DELETE CASCADE). */
class Cascades {
  /** Keys of child rows, by child table. */
  readonly found = new Map<string, string[]>();

  constructor(
    private readonly table: string,
    private readonly key: string,
    private readonly children: readonly ChildTable[],
  ) {}

  /** One query per child table: its rows under the table's rows that `rowsWhere` selects, to be sent before those go. */
  queries(rowsWhere: string): string[] {
    return this.children.map(
      (child) => `SELECT c.${quoteIdent(child.key)}::text AS id FROM ${quoteIdent(child.table)} c WHERE c.${quoteIdent(child.column)} IN (SELECT t.${this.key} FROM ${this.table} t WHERE ${rowsWhere})`,
    );
  }

  /** The answers to `queries`, in their order. */
  note(results: readonly pg.QueryResult<{ id: string }>[]): void {
    this.children.forEach((child, i) => {
      const ids = results[i]!.rows.map((r) => r.id);
      if (ids.length > 0) this.found.set(child.table, [...(this.found.get(child.table) ?? []), ...ids]);
    });
  }
}

/** A query of the columns in which the recomputed rows differ from the target's, before the update. */
function changedColumnsQuery(spec: AnyTableSpec, table: string, expected: string, key: string): string {
  const tests = spec.columns.map((c, i) => `bool_or(t.${quoteIdent(c.name)} IS DISTINCT FROM e.${quoteIdent(c.name)}) AS c${i}`);
  return `SELECT ${tests.join(', ')} FROM ${table} t JOIN pg_temp.${expected} e ON e.${key} = t.${key}`;
}

function changedColumns(spec: AnyTableSpec, result: pg.QueryResult): Set<string> {
  const row = result.rows[0] as Record<string, boolean | null> | undefined;
  return new Set(spec.columns.filter((_, i) => row?.[`c${i}`] === true).map((c) => c.name));
}

/**
 * Rows whose values changed, updated in place, then the new rows inserted (`insert`), in
 * one round trip with the savepoint around the update (and, when `watched` is given, the
 * columns it changes, read before). Two rows that swap a unique value in one batch (two
 * providers exchanging phones) collide inside one UPDATE: those are then deleted, and
 * inserted again with the new rows.
 */
async function updateAndInsert(
  target: pg.ClientBase,
  { table, expected, key, columns }: { table: string; expected: string; key: string; columns: string[] },
  cascades: Cascades,
  watched: AnyTableSpec | undefined,
  insert: string,
): Promise<{ count: number; removed: { id: string }[]; columns: Set<string>; inserted: pg.QueryResult<{ id: string }> }> {
  const differs = `e.${key} = t.${key} AND (${columns.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `e.${c}`).join(', ')})`;
  const watch = watched === undefined ? [] : [changedColumnsQuery(watched, table, expected, key)];
  try {
    const results = await inOneTrip<{ id: string }>(target, [
      ...watch,
      'SAVEPOINT actualizar',
      `UPDATE ${table} t SET (${columns.join(', ')}) = (${columns.map((c) => `e.${c}`).join(', ')}) FROM pg_temp.${expected} e WHERE ${differs}`,
      'RELEASE SAVEPOINT actualizar',
      insert,
    ]);
    return { count: results.at(-3)!.rowCount ?? 0, removed: [], columns: watched === undefined ? new Set() : changedColumns(watched, results[0]!), inserted: results.at(-1)! };
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    // The trip's answers went with its error: the columns are read again, as they were before the update.
    const [, ...rest] = await inOneTrip<{ id: string }>(target, [
      'ROLLBACK TO SAVEPOINT actualizar',
      ...watch,
      ...cascades.queries(`EXISTS (SELECT 1 FROM pg_temp.${expected} e WHERE ${differs})`),
      `DELETE FROM ${table} t USING pg_temp.${expected} e WHERE ${differs} RETURNING t.${key}::text AS id`,
      insert,
    ]);
    const inserted = rest.pop()!;
    const removed = rest.pop()!;
    const changed = watched === undefined ? new Set<string>() : changedColumns(watched, rest.shift()!);
    cascades.note(rest);
    return { count: removed.rowCount ?? 0, removed: removed.rows, columns: changed, inserted };
  }
}
