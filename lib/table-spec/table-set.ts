import { CopiarError } from '../errors.js';
import type { AnyTableSpec } from './spec.js';

/** The tables a table must wait for: the ones its target-side lookups read. */
export function dependenciesOf(spec: AnyTableSpec): readonly string[] {
  return spec.targetLookups?.reads ?? [];
}

/**
 * The tables in an order where each comes after the tables it reads; otherwise in the
 * order given (the contract's). A table that reads itself through others is a mistake
 * in the specs, not in the data.
 */
export function loadOrder(specs: readonly AnyTableSpec[]): AnyTableSpec[] {
  const byName = new Map(specs.map((s) => [s.target, s]));
  const ordered: AnyTableSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (spec: AnyTableSpec, path: string[]): void => {
    if (state.get(spec.target) === 'done') return;
    if (state.get(spec.target) === 'visiting') throw new Error(`dependencia circular entre tablas: ${[...path, spec.target].join(' → ')}`);
    state.set(spec.target, 'visiting');
    for (const name of dependenciesOf(spec)) {
      const dependency = byName.get(name);
      if (dependency === undefined) throw new Error(`${spec.target} lee ${name}, que no es una tabla de la migración`);
      visit(dependency, [...path, spec.target]);
    }
    state.set(spec.target, 'done');
    ordered.push(spec);
  };
  for (const spec of specs) visit(spec, []);
  return ordered;
}

/**
 * The named tables of the catalog, in load order whatever order they were named in;
 * all of them when none is named.
 */
export function selectTables(catalog: readonly AnyTableSpec[], names: readonly string[] | undefined): AnyTableSpec[] {
  const ordered = loadOrder(catalog);
  if (names === undefined || names.length === 0) return ordered;
  const unknown = names.filter((n) => !catalog.some((t) => t.target === n));
  if (unknown.length > 0) {
    throw new CopiarError('TABLA_DESCONOCIDA', `Tabla desconocida: ${unknown.join(', ')}; las tablas válidas son ${ordered.map((t) => t.target).join(', ')}.`, {
      context: { unknown },
    });
  }
  return ordered.filter((t) => names.includes(t.target));
}
