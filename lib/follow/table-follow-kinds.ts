import type { AnyTableSpec } from '../table-spec/spec.js';

// How a table follows its source's changes, read from its spec alone: by row, by group,
// or whole. Below the batch, its scopes and the rows from the stream, which all ask.

/**
 * A table whose target rows are one per source row, under the source's own id: a change
 * recomputes that row alone. Tables with a keep rule (a group decides which row wins),
 * a remapped or derived id, or a join to another source table are recomputed whole:
 * they are the small ones (docs/contract.md, "Following changes").
 */
export function followsByRow(spec: AnyTableSpec): boolean {
  return (spec.unique ?? []).length === 0 && keyedBySourceId(spec) && spec.source.joins === undefined;
}

/**
 * A table like followsByRow but for one keep rule (proveedores: one row per phone): a
 * change recomputes the rows of the groups it leaves and joins. Only where a row's
 * outcome depends on its own source row and its group (no join, prepared join or target
 * lookup), and on one key: with two, groups chain into each other.
 */
export function followsByGroup(spec: AnyTableSpec): boolean {
  return (spec.unique ?? []).length === 1 && keyedBySourceId(spec) && spec.source.joins === undefined && spec.source.prepared === undefined && spec.targetLookups === undefined;
}

/** The target's key is the source's id as it is. */
export function keyedBySourceId(spec: AnyTableSpec): boolean {
  if (spec.primaryKey.length !== 1) return false;
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
