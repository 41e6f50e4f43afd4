import type { AnyTableSpec } from './spec.js';

/**
 * The source columns the tables read, by source table, joins and prepared joins
 * included: what must exist (a missing one is schema drift) and be readable.
 */
export function requiredSourceColumns(specs: readonly AnyTableSpec[]): Map<string, Set<string>> {
  const required = new Map<string, Set<string>>();
  const need = (table: string, columns: Iterable<string>): void => {
    if (!required.has(table)) required.set(table, new Set());
    for (const c of columns) required.get(table)!.add(c);
  };
  for (const spec of specs) {
    need(spec.source.table, spec.source.columns);
    // Joined tables: every `<alias>.<column>` the joins and lookups name.
    const aliases = new Map<string, string>();
    for (const m of (spec.source.joins ?? '').matchAll(/JOIN\s+(\w+)\s+(\w+)/gi)) aliases.set(m[2]!, m[1]!);
    const sql = `${spec.source.joins ?? ''} ${Object.values(spec.source.lookups ?? {}).join(' ')}`;
    for (const m of sql.matchAll(/\b(\w+)\.(\w+)\b/g)) {
      const table = aliases.get(m[1]!);
      if (table !== undefined) need(table, [m[2]!]);
    }
    for (const [table, columns] of Object.entries(spec.source.prepared?.requires ?? {})) need(table, columns);
  }
  return required;
}
