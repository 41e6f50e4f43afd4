import { requiredSourceColumns } from '../table-spec/source-columns.js';
import { RowRejection } from '../rules/rejection.js';
import type { RowView } from '../rules/types.js';
import type { AnyTableSpec, ColumnSpec } from '../table-spec/spec.js';
import type { ChangeBatch } from './changes.js';
import { followsByGroup, followsByRow, keyedBySourceId, preparedTable } from './table-follow-kinds.js';

/**
 * The target rows a batch of changes makes stale in one table: the whole table, or the
 * rows of some source ids plus those whose prepared-join key (a user) changed value.
 */
export type Scope =
  | {
      whole: true;
      /** Only named rows of the table's own source changed: rows that are not of this table, before or after, change nothing. */
      ownRows?: ReadonlySet<string>;
    }
  | {
      whole: false;
      ids: ReadonlySet<string>;
      keys: ReadonlySet<string>;
      carried?: CarriedValues;
      /** The ids are changed rows of a keep-rule table (followsByGroup): the rows of their groups come with them (groups.ts). */
      groups?: boolean;
      /**
       * The ids are whole keep-rule groups, their claims brought to what the source holds
       * now (groups.ts): one the recompute does not produce leaves the target even if the
       * batch did not change it (gone from the source, or no longer of this table, after
       * the batch), or its row would keep a key that its claim no longer names.
       */
      members?: boolean;
      /** Rows that reference parent rows which came or went (`readsByReference`). */
      references?: readonly ReferencedKeys[];
    };

/** Source rows whose `column` (a source column) holds one of `values`. */
export interface ReferencedKeys {
  column: string;
  values: ReadonlySet<string>;
}

/** What a recompute changed in a table, as the tables that read it care: rows that came or went, columns updated. */
export interface TargetChange {
  rows: boolean;
  /** The keys of the rows that came or went, when all of them are known. */
  movedKeys?: ReadonlySet<string>;
  columns: ReadonlySet<string>;
}

// Past this many parent keys the list in the query text stops being small: the whole table is recomputed.
const MAX_REFERENCED_KEYS = 10_000;

/**
 * How a change to `parent` makes `spec`'s lookups stale: not at all, only for the rows
 * that reference parent rows which came or went, or whole (a column they read changed,
 * or the lookup reads the parent in other ways).
 */
function parentChange(spec: AnyTableSpec, parent: string, change: TargetChange | undefined): 'none' | 'whole' | ReferencedKeys {
  if (change === undefined) return 'none';
  const columns = spec.targetLookups?.readColumns?.[parent];
  const columnsRead = columns === undefined || columns.some((c) => change.columns.has(c));
  if (columnsRead) return 'whole';
  if (!change.rows) return 'none';
  const column = referencingSourceColumn(spec, parent);
  if (column === undefined || change.movedKeys === undefined || change.movedKeys.size > MAX_REFERENCED_KEYS) return 'whole';
  return { column, values: change.movedKeys };
}

/** The source column that the target column reading `parent` by reference is written from, as it is. */
function referencingSourceColumn(spec: AnyTableSpec, parent: string): string | undefined {
  const target = spec.targetLookups?.readsByReference?.[parent];
  const column = spec.columns.find((c) => c.name === target);
  return column?.from !== undefined && spec.source.columns.includes(column.from) ? column.from : undefined;
}

/**
 * Values a target column holds for the rows of changed keys (a user's phone in
 * mensajes.telefono): those rows are found by that column's index in the target instead
 * of a scan of the source (which has no index on messages.user_id).
 */
export interface CarriedValues {
  column: string;
  values: ReadonlySet<string>;
}

export interface ScopeInputs {
  batch: ChangeBatch;
  /** Target tables whose rows this batch has already changed (parents come first), and how. */
  changedTargets: ReadonlyMap<string, TargetChange>;
  /** Prepared-join keys whose value this batch changed, with the value before, by source table. */
  changedKeys: ReadonlyMap<string, ReadonlyMap<string, string | null>>;
}

/** What of `spec` the batch makes stale, or null when nothing. */
export function scopeOf(spec: AnyTableSpec, { batch, changedTargets, changedKeys }: ScopeInputs): Scope | null {
  const prepared = preparedTable(spec);
  const reads = [...requiredSourceColumns([spec]).keys()];
  if (reads.some((table) => batch.tables.get(table)?.truncated === true)) return { whole: true };
  const parentChanges = (spec.targetLookups?.reads ?? []).map((parent) => parentChange(spec, parent, changedTargets.get(parent)));
  if (parentChanges.includes('whole')) return { whole: true };
  const references = parentChanges.filter((change): change is ReferencedKeys => typeof change === 'object');
  // A joined table's rows name no row of this one: only the whole table is safe.
  if (reads.some((table) => table !== spec.source.table && table !== prepared && batch.tables.has(table))) return { whole: true };
  const own = batch.tables.get(spec.source.table);
  if (own !== undefined && own.unnamed) return { whole: true };
  // The referencing rows alone, with the table's own changed rows: only where a row is its source row's alone.
  if (references.length > 0 && (!keyedBySourceId(spec) || (own !== undefined && !followsByRow(spec)))) return { whole: true };
  if (own !== undefined && followsByGroup(spec)) return { whole: false, ids: own.ids, keys: new Set(), groups: true };
  if (own !== undefined && !followsByRow(spec)) return { whole: true, ownRows: own.ids };
  const changed = prepared === undefined ? new Map<string, string | null>() : (changedKeys.get(prepared) ?? new Map<string, string | null>());
  const ids = own?.ids ?? new Set<string>();
  if (ids.size === 0 && changed.size === 0 && references.length === 0) return null;
  const carrier = carryingColumn(spec);
  const keys = new Set<string>();
  const values = new Set<string>();
  for (const [key, before] of changed) {
    const carried = carrier === undefined ? null : writtenValue(carrier, before);
    if (carried === null) keys.add(key);
    else values.add(carried);
  }
  return {
    whole: false,
    ids,
    keys,
    ...(carrier !== undefined && values.size > 0 ? { carried: { column: carrier.name, values } } : {}),
    ...(references.length > 0 ? { references } : {}),
  };
}

/** The target column written from the prepared join's value, when its rule depends on that value alone. */
function carryingColumn(spec: AnyTableSpec): ColumnSpec | undefined {
  const prepared = spec.source.prepared;
  if (prepared === undefined) return undefined;
  const field = Object.entries(spec.source.lookups ?? {}).find(([, expression]) => expression.startsWith(`${prepared.alias}.`))?.[0];
  const column = spec.columns.find((c) => c.from === field);
  return column !== undefined && (column.rule === undefined || column.rule.valueOnly === true) ? column : undefined;
}

const NO_ROW: RowView = {
  field: () => {
    throw new Error('una regla de solo valor leyó otro campo');
  },
  adjust: () => undefined,
};

/**
 * What the column held for rows with this value before the change, or null when such
 * rows were rejected (a user without a valid phone): those can only be found at the source.
 */
function writtenValue(column: ColumnSpec, value: string | null): string | null {
  if (column.rule === undefined) return value;
  try {
    return column.rule(value, NO_ROW);
  } catch (error) {
    if (error instanceof RowRejection) return null;
    throw error;
  }
}
