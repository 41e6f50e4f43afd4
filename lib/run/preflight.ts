import type pg from 'pg';
import { emptyParentsError, findEmptyParents } from './parent-check.js';
import { inTransaction } from '../pg/transaction.js';
import { createTableSql, indexSql, keySql } from '../schema/ddl.js';
import type { TriggerChoice } from '../schema/triggers.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { recordCreatedTable } from '../state/created-tables.js';
import { ensureStateSchema } from '../state/state-schema.js';
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
  const sourceProblem = sourceError(await inspectSource(source, specs));
  if (sourceProblem) throw sourceProblem;
  const inspection = await inspectTarget(target, catalog, specs);
  const targetProblem = targetError(inspection, options);
  if (targetProblem) throw targetProblem;
  const emptyParents = await findEmptyParents(target, specs);
  if (emptyParents.length > 0) throw emptyParentsError(emptyParents);
  await ensureStateSchema(target);
  const replaced = foreignRowTables(inspection);
  const missing = inspection.wanted.filter((s) => !inspection.existing.has(s.target));
  if (missing.length === 0) return replaced;
  await inTransaction(target, async () => {
    for (const spec of missing) {
      await target.query(createTableSql(spec));
      await recordCreatedTable(target, spec.target);
    }
    // Empty tables get their keys and indexes at once, so a table loaded alone later
    // finds the keys its foreign keys need; each load rebuilds them anyway.
    for (const spec of missing) for (const sql of [...keySql(spec), ...indexSql(spec)]) await target.query(sql);
  });
  return replaced;
}
