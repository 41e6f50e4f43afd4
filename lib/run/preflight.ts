import type pg from 'pg';
import { emptyParentsError } from './parent-check.js';
import { inOneTrip } from '../pg/one-trip.js';
import { createTableSql, indexSql, keySql } from '../schema/ddl.js';
import type { TriggerChoice } from '../schema/triggers.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { recordCreatedTableSql } from '../state/created-tables.js';
import { ensureStateSchemaSql } from '../state/state-schema.js';
import { inspectSource, sourceError } from './source-check.js';
import { foreignRowTables, inspectTarget, targetError } from './target-check.js';

// The checks before any write: a run stops at the first problem; `plan` lists them all.

/**
 * Refuses a source or target the run cannot use, then creates what the target lacks.
 * Returns the tables whose rows copiar-tablas did not write and will replace (--replace).
 */
export async function prepareTarget(
  source: pg.ClientBase,
  target: pg.ClientBase,
  catalog: readonly AnyTableSpec[],
  specs: readonly AnyTableSpec[],
  options: { replace: boolean; triggers?: TriggerChoice },
): Promise<string[]> {
  // Each side on its own session, side by side; the source's problem is told first.
  const [sourceInspection, targetInspection] = await Promise.allSettled([inspectSource(source, specs), inspectTarget(target, catalog, specs)]);
  if (sourceInspection.status === 'rejected') throw sourceInspection.reason;
  const sourceProblem = sourceError(sourceInspection.value);
  if (sourceProblem) throw sourceProblem;
  if (targetInspection.status === 'rejected') throw targetInspection.reason;
  const inspection = targetInspection.value;
  const targetProblem = targetError(inspection, options);
  if (targetProblem) throw targetProblem;
  if (inspection.emptyParents.length > 0) throw emptyParentsError(inspection.emptyParents);
  // The state schema and the missing tables in one round trip, one implicit transaction:
  // all of them or, at the first error, none. Empty tables get their keys and indexes at
  // once, so a table loaded alone later finds the keys its foreign keys need; each load
  // rebuilds them anyway.
  const missing = inspection.wanted.filter((s) => !inspection.existing.has(s.target));
  await inOneTrip(target, [
    ...ensureStateSchemaSql(),
    ...missing.flatMap((spec) => [createTableSql(spec), recordCreatedTableSql(spec.target)]),
    ...missing.flatMap((spec) => [...keySql(spec), ...indexSql(spec)]),
  ]);
  return foreignRowTables(inspection);
}
