import type pg from 'pg';
import { tableEstimate } from '../pg/catalog.js';
import { closeQuietly, connect } from '../pg/connection.js';
import { incompleteSourceError, inspectSource, inspectTarget } from '../run/preflight.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { STATE_SCHEMA } from '../state/state-schema.js';

export interface PlanTable {
  table: string;
  source_table: string;
  /** From the catalog (reltuples / pg_stat_user_tables), as the guide reads it. */
  estimated_rows: number;
  estimated_bytes: number;
  target_exists: boolean;
  target_estimated_rows: number;
}

export interface Plan {
  order: string[];
  tables: PlanTable[];
  will_create: string[];
  warnings: string[];
  problems: string[];
}

export interface PlanOptions {
  sourceUrl: string;
  targetUrl: string;
  sslCa?: string;
  /** Every table the tool knows: foreign keys may need tables the run does not copy. */
  catalog: readonly AnyTableSpec[];
  /** The run's tables, in load order. */
  specs: AnyTableSpec[];
}

/**
 * What a run would do, read from the catalogs of both sides on read-only sessions:
 * nothing is written anywhere. The same checks as a run, listed instead of stopping.
 */
export async function plan(options: PlanOptions): Promise<Plan> {
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  const result: Plan = { order: options.specs.map((s) => s.target), tables: [], will_create: [], warnings: [], problems: [] };
  try {
    source = await connect({ url: options.sourceUrl, sslCa: options.sslCa, readOnly: true, role: 'origen' });
    target = await connect({ url: options.targetUrl, sslCa: options.sslCa, readOnly: true, role: 'destino' });
    const sourceProblems = await inspectSource(source, options.specs);
    result.problems.push(...sourceProblems.denied);
    const incomplete = incompleteSourceError(sourceProblems.missing);
    if (incomplete) result.problems.push(incomplete.message);

    const inspection = await inspectTarget(target, options.catalog, options.specs);
    result.problems.push(...inspection.privilegeProblems, ...inspection.shapeErrors.map((e) => e.message));
    result.will_create.push(...inspection.wanted.filter((s) => !inspection.existing.has(s.target)).map((s) => s.target));
    if (inspection.stateMissing) result.will_create.push(`esquema ${STATE_SCHEMA}`);
    for (const spec of options.specs) {
      const { row, warnings } = await describeTable(source, target, spec, inspection.existing.has(spec.target));
      result.tables.push(row);
      result.warnings.push(...warnings);
    }
  } finally {
    await closeQuietly(source);
    await closeQuietly(target);
  }
  return result;
}

/** A table's estimates on both sides, and what a run would replace or rebuild in it. */
async function describeTable(source: pg.ClientBase, target: pg.ClientBase, spec: AnyTableSpec, exists: boolean): Promise<{ row: PlanTable; warnings: string[] }> {
  const sourceEstimate = await tableEstimate(source, spec.source.table);
  const targetEstimate = exists ? await tableEstimate(target, spec.target) : { rows: 0, bytes: 0 };
  const row: PlanTable = {
    table: spec.target,
    source_table: spec.source.table + (spec.source.where ? ' (solo proveedores)' : ''),
    estimated_rows: sourceEstimate.rows,
    estimated_bytes: sourceEstimate.bytes,
    target_exists: exists,
    target_estimated_rows: targetEstimate.rows,
  };
  const warnings: string[] = [];
  if (!exists) return { row, warnings };
  if (targetEstimate.rows > 0) warnings.push(`${spec.target} ya tiene unas ${targetEstimate.rows} filas: la migración las reemplaza (TRUNCATE en la misma transacción).`);
  const { rows: indexes } = await target.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1', [spec.target]);
  const present = new Set(indexes.map((r) => r.indexname));
  const missingIndexes = Object.keys(spec.indexes).filter((name) => !present.has(name));
  if (missingIndexes.length > 0) warnings.push(`${spec.target} no tiene los índices ${missingIndexes.join(', ')}: se crearán al cargar.`);
  return { row, warnings };
}
