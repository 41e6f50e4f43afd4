import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { rowPresence } from '../pg/catalog.js';
import { quoteIdent } from '../pg/quote.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { dependenciesOf } from '../table-spec/table-set.js';

/** A table of the run whose lookups read target tables that are empty and not in the run. */
export interface EmptyParents {
  table: string;
  parents: string[];
}

/** Whether each target table exists and holds a row (EXISTS: statistics can say 0 after a restore). */
export async function emptyTables(client: pg.ClientBase, tables: readonly string[]): Promise<Set<string>> {
  if (tables.length === 0) return new Set();
  const { rows: found } = await client.query<{ regclass: string | null }>('SELECT to_regclass(t)::text AS regclass FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n', [tables.map(quoteIdent)]);
  const present = found.flatMap((r, i) => (r.regclass === null ? [] : [{ table: tables[i]!, regclass: r.regclass }]));
  const empty = new Set(tables.filter((_, i) => found[i]!.regclass === null));
  const presence = await rowPresence(client, present.map((p) => p.regclass));
  for (const [i, p] of present.entries()) if (!presence[i]!.hasRows) empty.add(p.table);
  return empty;
}

/**
 * A child migrated alone reads its parents from the target (proveedor_profesiones needs
 * profesiones and proveedores): against empty parents every row would be rejected or
 * left without its link, and the run would still end well. Parents that are part of
 * the run are loaded first, so they do not count: these are the ones to look at.
 */
export function parentsOutsideRun(specs: readonly AnyTableSpec[]): string[] {
  const inRun = new Set(specs.map((s) => s.target));
  return [...new Set(specs.flatMap((s) => dependenciesOf(s)).filter((p) => !inRun.has(p)))];
}

/** The run's tables that would read some of the `empty` parents. */
export function emptyParentsOf(specs: readonly AnyTableSpec[], empty: ReadonlySet<string>): EmptyParents[] {
  return specs
    .map((s) => ({ table: s.target, parents: dependenciesOf(s).filter((p) => empty.has(p)) }))
    .filter((e) => e.parents.length > 0);
}

export function emptyParentsError(found: readonly EmptyParents[]): CopiarError {
  const sentences = found.map((e) => `${e.table} busca sus enlaces en ${e.parents.join(' y ')} del destino, ${e.parents.length > 1 ? 'que están vacías' : 'que está vacía'}`);
  const add = [...new Set(found.flatMap((e) => [...e.parents, e.table]))].map((t) => `--table ${t}`).join(' ');
  return new CopiarError(
    'TABLAS_PADRE_VACIAS',
    `${sentences.join('; ')}: todas sus filas se rechazarían o quedarían sin enlazar. Migre antes esas tablas, o inclúyalas en la misma ejecución (${add}).`,
    { context: { tables: found } },
  );
}
