import { requiredSourceColumns } from '../table-spec/source-columns.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import type { ChangeBatch } from './changes.js';

/**
 * The target rows a batch of changes makes stale in one table: the whole table, or the
 * rows of some source ids plus those whose prepared-join key (a user) changed value.
 */
export type Scope = { whole: true } | { whole: false; ids: ReadonlySet<string>; keys: ReadonlySet<string> };

/**
 * A table whose target rows are one per source row, under the source's own id: a change
 * recomputes that row alone. Tables with a keep rule (a group decides which row wins),
 * a remapped or derived id, or a join to another source table are recomputed whole:
 * they are the small ones (docs/contract.md, "Following changes").
 */
export function followsByRow(spec: AnyTableSpec): boolean {
  if ((spec.unique ?? []).length > 0 || spec.primaryKey.length !== 1 || spec.source.joins !== undefined) return false;
  const key = spec.columns.find((c) => c.name === spec.primaryKey[0]);
  return key !== undefined && key.from === spec.source.idColumn && key.rule === undefined;
}

/** The source table whose rows the table's prepared join reads (users, for a phone by user_id). */
export function preparedTable(spec: AnyTableSpec): string | undefined {
  const requires = spec.source.prepared?.requires;
  return requires === undefined ? undefined : Object.keys(requires)[0];
}

/** The id column of every source table the specs read, as the batch records it. */
export function sourceIdColumns(specs: readonly AnyTableSpec[]): Map<string, string> {
  const columns = new Map<string, string>();
  for (const spec of specs) {
    columns.set(spec.source.table, spec.source.idColumn);
    const prepared = preparedTable(spec);
    // A prepared join is keyed by its table's id (users.id).
    if (prepared !== undefined && !columns.has(prepared)) columns.set(prepared, 'id');
  }
  return columns;
}

export interface ScopeInputs {
  batch: ChangeBatch;
  /** Target tables whose rows this batch has already changed (parents come first). */
  changedTargets: ReadonlySet<string>;
  /** Prepared-join keys whose value this batch changed, by source table. */
  changedKeys: ReadonlyMap<string, ReadonlySet<string>>;
}

/** What of `spec` the batch makes stale, or null when nothing. */
export function scopeOf(spec: AnyTableSpec, { batch, changedTargets, changedKeys }: ScopeInputs): Scope | null {
  const prepared = preparedTable(spec);
  const reads = [...requiredSourceColumns([spec]).keys()];
  if (reads.some((table) => batch.tables.get(table)?.truncated === true)) return { whole: true };
  if ((spec.targetLookups?.reads ?? []).some((parent) => changedTargets.has(parent))) return { whole: true };
  // A joined table's rows name no row of this one: only the whole table is safe.
  if (reads.some((table) => table !== spec.source.table && table !== prepared && batch.tables.has(table))) return { whole: true };
  const own = batch.tables.get(spec.source.table);
  if (own !== undefined && (!followsByRow(spec) || own.unnamed)) return { whole: true };
  const keys = prepared === undefined ? new Set<string>() : (changedKeys.get(prepared) ?? new Set<string>());
  const ids = own?.ids ?? new Set<string>();
  if (ids.size === 0 && keys.size === 0) return null;
  return { whole: false, ids, keys };
}
