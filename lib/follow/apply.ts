import type pg from 'pg';
import { preparedValues } from '../lookups/prepared-join.js';
import { streamRows } from '../pg/query-stream.js';
import { inTransaction } from '../pg/transaction.js';
import { rejectCsvPath } from '../rejects/paths.js';
import { appendRejectCsv, type RejectRecord } from '../rejects/reject-csv.js';
import { clearValues, recordApplied, storeValues } from '../state/follow-state.js';
import type { AnyTableSpec, PreparedJoin } from '../table-spec/spec.js';
import type { ChangeBatch } from './changes.js';
import { seedGroups, withGroupMembers } from './groups.js';
import { recomputeScope, type ChildTable, type RecomputeSessions } from './recompute.js';
import { FOLLOW_NAME } from './requirements.js';
import { scopeOf, type TargetChange } from './scopes.js';
import { followsByGroup, preparedTable } from './table-follow-kinds.js';
import { quoteIdent } from '../pg/quote.js';
import { suspendTriggers } from '../schema/triggers.js';
import { beginVisibleRead } from './visible-snapshot.js';

/** What applying one batch did, per target table. */
export interface AppliedTable {
  table: string;
  deleted: number;
  updated: number;
  inserted: number;
  rejected: number;
}

/** The prepared joins the specs use, one per source table they read (users: the phone by user). */
export function preparedJoins(specs: readonly AnyTableSpec[]): Map<string, PreparedJoin> {
  const joins = new Map<string, PreparedJoin>();
  for (const spec of specs) {
    const table = preparedTable(spec);
    if (table !== undefined && spec.source.prepared !== undefined && !joins.has(table)) joins.set(table, spec.source.prepared);
  }
  return joins;
}

/** Prepared-join keys whose value the batch changed, the stored values brought up to date. */
async function changedKeys({ source, target, values }: RecomputeSessions, joins: ReadonlyMap<string, PreparedJoin>, batch: ChangeBatch): Promise<Map<string, Map<string, string | null>>> {
  const changed = new Map<string, Map<string, string | null>>();
  for (const [table, join] of joins) {
    const changes = batch.tables.get(table);
    if (changes === undefined) continue;
    if (changes.truncated || changes.unnamed) {
      // Every dependent table is recomputed whole (scopes.ts); the values start again.
      await seedValues(source, target, table, join);
      values.forget(table);
      continue;
    }
    const keys = [...changes.ids];
    const now = await preparedValues(source, join, keys);
    const before = await values.read(target, table, keys);
    const moved = new Map<string, string | null>();
    const previous = new Map<string, string | null>();
    for (const key of keys) {
      const value = now.get(key) ?? null;
      if (value === (before.get(key) ?? null)) continue;
      moved.set(key, value);
      previous.set(key, before.get(key) ?? null);
    }
    await values.store(target, table, moved);
    changed.set(table, previous);
  }
  return changed;
}

/**
 * Every value of a prepared join as the source session sees it: at the start of a follow,
 * in the slot's snapshot. Stored as it streams, 10,000 at a time: held whole (a map, then
 * its entries, then slices of them) it raised the run's peak RSS by ~40 MB at 50,000 users.
 */
export async function seedValues(source: pg.ClientBase, target: pg.ClientBase, table: string, join: PreparedJoin): Promise<void> {
  await clearValues(target, table);
  let chunk = new Map<string, string>();
  await streamRows<[string, string | null]>(source, join.query, async ([key, raw]) => {
    const value = join.value(raw);
    if (value !== null) chunk.set(key, value);
    if (chunk.size >= 10_000) {
      await storeValues(target, table, chunk);
      chunk = new Map();
    }
  });
  await storeValues(target, table, chunk);
}

/**
 * Whether changed source rows are, before or after, rows of this table: selected by its
 * source condition now (a provider user), or present in the target under their id. A
 * user who is a customer before and after changes nothing in proveedores; a provider
 * rejected before and gone now changes no winner.
 */
async function rowsOfTable(sessions: RecomputeSessions, spec: AnyTableSpec, ids: ReadonlySet<string>): Promise<boolean> {
  const { table, alias, idColumn, where } = spec.source;
  const key = spec.columns.find((c) => c.name === spec.primaryKey[0]);
  // Only where the target's key is the source id as it is, and the source selects some rows.
  if (where === undefined || key?.from !== idColumn || key.rule !== undefined || ids.size === 0) return true;
  const list = [...ids];
  const sourceType = await sessions.typeOf(sessions.source, table, idColumn);
  const now = await sessions.source.query(`SELECT 1 FROM ${quoteIdent(table)} ${alias} WHERE ${alias}.${quoteIdent(idColumn)} = ANY($1::text[]::${sourceType}[]) AND (${where}) LIMIT 1`, [list]);
  if (now.rows.length > 0) return true;
  const targetType = await sessions.typeOf(sessions.target, spec.target, key.name);
  const before = await sessions.target.query(`SELECT 1 FROM ${quoteIdent(spec.target)} WHERE ${quoteIdent(key.name)} = ANY($1::text[]::${targetType}[]) LIMIT 1`, [list]);
  return before.rows.length > 0;
}

/** A followed table with what a recompute of it needs to know about the others, worked out once per follow. */
interface FollowedTable {
  spec: AnyTableSpec;
  /** The followed tables whose foreign keys point at this one. */
  children: ChildTable[];
  /** Another table's rules read this one: its updated columns matter to them. */
  watchColumns: boolean;
  /** Another table's rules read this one by reference: the keys of its rows that come or go matter to them. */
  trackMoved: boolean;
}

export interface ApplyContext {
  sessions: RecomputeSessions;
  /** In load order: a parent is recomputed before the tables that read it. */
  tables: readonly FollowedTable[];
  joins: ReadonlyMap<string, PreparedJoin>;
  reportDir: string;
  /** Each batch's transaction disables the tables' triggers and enables them again before its commit. */
  skipTriggers: boolean;
}

export function applyContext(sessions: RecomputeSessions, specs: readonly AnyTableSpec[], reportDir: string, skipTriggers = false): ApplyContext {
  const tables = specs.map((spec) => ({
    spec,
    children: specs.flatMap((child) =>
      (child.foreignKeys ?? []).filter((fk) => fk.references === spec.target).map((fk) => ({ table: child.target, column: fk.columns[0]!, key: child.primaryKey[0]! })),
    ),
    watchColumns: specs.some((other) => other.targetLookups?.reads.includes(spec.target)),
    trackMoved: specs.some((other) => other.targetLookups?.readsByReference?.[spec.target] !== undefined),
  }));
  return { sessions, tables, joins: preparedJoins(specs), reportDir, skipTriggers };
}

/**
 * One batch of whole source transactions, applied in one target transaction that also
 * records the end of the batch's last commit: applied and recorded together, or neither.
 * The source is read in one consistent read, as it is now, that sees all of the batch.
 * Null when `signal` stopped the follow before the source showed the whole batch.
 */
export async function applyBatch(context: ApplyContext, batch: ChangeBatch, signal?: AbortSignal): Promise<AppliedTable[] | null> {
  const { source, target, values } = context.sessions;
  // Between batches: no answer of the last batch's reads is in use any more.
  values.trim();
  if (!(await beginVisibleRead(source, batch.xids, signal))) return null;
  try {
    return await inTransaction(target, async () => {
      const restoreTriggers = context.skipTriggers ? await suspendTriggers(target, context.tables.map((t) => t.spec.target)) : undefined;
      const keys = await changedKeys(context.sessions, context.joins, batch);
      const changedTargets = new Map<string, TargetChange>();
      /** `moved`: the keys of rows that came or went, 'unknown' when not all are known, or none. */
      const noteChange = (table: string, moved: Iterable<string> | 'unknown' | null, columns: Iterable<string> = []): void => {
        const before = changedTargets.get(table) ?? { rows: false, movedKeys: new Set<string>(), columns: new Set<string>() };
        const known = moved !== 'unknown' && before.movedKeys !== undefined;
        changedTargets.set(table, {
          rows: before.rows || moved !== null,
          ...(known ? { movedKeys: new Set([...before.movedKeys!, ...(moved ?? [])]) } : {}),
          columns: new Set([...before.columns, ...columns]),
        });
      };
      const applied: AppliedTable[] = [];
      const rejects: [AnyTableSpec, RejectRecord[]][] = [];
      const held = new Map<string, Set<string>>();
      for (const { spec, children, watchColumns, trackMoved } of context.tables) {
        const changed = scopeOf(spec, { batch, changedTargets, changedKeys: keys });
        if (changed === null) continue;
        if (changed.whole && changed.ownRows !== undefined && !(await rowsOfTable(context.sessions, spec, changed.ownRows))) continue;
        const scope = await withGroupMembers(context.sessions, spec, changed);
        const own = batch.tables.get(spec.source.table);
        const touched = own?.ids ?? new Set<string>();
        const result = await recomputeScope(context.sessions, spec, scope, { touched, inserted: own?.inserted, streamed: own?.rows, held: held.get(spec.target), children, watchColumns, trackMoved });
        // A whole recompute (a TRUNCATE) moved every group: their claims start again.
        if (scope.whole && followsByGroup(spec)) await seedGroups(source, target, spec);
        for (const [child, ids] of result.cascaded) {
          held.set(child, new Set([...(held.get(child) ?? []), ...ids]));
          // Rows gone with their parent: the child table changed, whether it is recomputed or not.
          noteChange(child, ids);
        }
        if (result.deleted + result.inserted > 0) noteChange(spec.target, result.movedKeys ?? 'unknown');
        if (result.updated > 0) noteChange(spec.target, null, result.updatedColumns.size > 0 ? result.updatedColumns : spec.columns.map((c) => c.name));
        if (result.rejects.length > 0) rejects.push([spec, result.rejects]);
        applied.push({ table: spec.target, deleted: result.deleted, updated: result.updated, inserted: result.inserted, rejected: result.rejects.length });
      }
      // Before the commit: a crash in between writes a reject line twice, never loses one.
      for (const [spec, records] of rejects) await appendRejectCsv(rejectCsvPath(context.reportDir, spec.target), spec, records);
      await restoreTriggers?.();
      await recordApplied(target, FOLLOW_NAME, batch.endLsn!);
      return applied;
    });
  } finally {
    await source.query('COMMIT').catch(() => undefined);
  }
}
