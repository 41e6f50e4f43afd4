import type pg from 'pg';
import { TABLES } from '../transforms/index.js';
import { closeQuietly, connect } from './connection.js';
import { CopiarError } from './errors.js';
import { checkShape, existingColumns } from './schema.js';
import { checkSource, requiredSourceColumns, tablesToEnsure } from './run.js';
import { tableEstimate } from './catalog.js';
import { sourcePrivilegeProblems, targetPrivilegeProblems } from './privileges.js';
import type { AnyTableSpec } from './spec.js';
import { STATE_SCHEMA, stateSchemaExists } from './state.js';

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

/**
 * What a run would do, read from the catalogs of both sides on read-only sessions:
 * nothing is written anywhere.
 */
export async function plan(options: { sourceUrl: string; targetUrl: string; specs: AnyTableSpec[]; sslCa?: string }): Promise<Plan> {
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  const result: Plan = { order: options.specs.map((s) => s.target), tables: [], will_create: [], warnings: [], problems: [] };
  try {
    source = await connect({ url: options.sourceUrl, sslCa: options.sslCa, readOnly: true, role: 'origen' });
    target = await connect({ url: options.targetUrl, sslCa: options.sslCa, readOnly: true, role: 'destino' });
    try {
      await checkSource(source, options.specs);
    } catch (error) {
      if (!(error instanceof CopiarError)) throw error;
      result.problems.push(error.message);
    }
    result.problems.push(...(await sourcePrivilegeProblems(source, requiredSourceColumns(options.specs).keys())));

    const wanted = tablesToEnsure(options.specs);
    const existing = await existingColumns(target, wanted.map((s) => s.target));
    const stateMissing = !(await stateSchemaExists(target));
    const existingTables = wanted.filter((s) => existing.has(s.target)).map((s) => s.target);
    result.problems.push(...(await targetPrivilegeProblems(target, existingTables, stateMissing || existingTables.length < wanted.length)));
    for (const spec of wanted) {
      if (!existing.has(spec.target)) result.will_create.push(spec.target);
      try {
        checkShape(spec, existing.get(spec.target));
      } catch (error) {
        if (!(error instanceof CopiarError)) throw error;
        result.problems.push(error.message);
      }
    }
    if (stateMissing) result.will_create.push(`esquema ${STATE_SCHEMA}`);

    for (const spec of options.specs) {
      const sourceEstimate = await tableEstimate(source, spec.source.table);
      const exists = existing.has(spec.target);
      const targetEstimate = exists ? await tableEstimate(target, spec.target) : { rows: 0, bytes: 0 };
      result.tables.push({
        table: spec.target,
        source_table: spec.source.table + (spec.source.where ? ' (solo proveedores)' : ''),
        estimated_rows: sourceEstimate.rows,
        estimated_bytes: sourceEstimate.bytes,
        target_exists: exists,
        target_estimated_rows: targetEstimate.rows,
      });
      if (!exists) continue;
      if (targetEstimate.rows > 0) result.warnings.push(`${spec.target} ya tiene unas ${targetEstimate.rows} filas: la migración las reemplaza (TRUNCATE en la misma transacción).`);
      const { rows: indexes } = await target.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1', [spec.target]);
      const present = new Set(indexes.map((r) => r.indexname));
      const missingIndexes = Object.keys(spec.indexes).filter((name) => !present.has(name));
      if (missingIndexes.length > 0) result.warnings.push(`${spec.target} no tiene los índices ${missingIndexes.join(', ')}: se crearán al cargar.`);
    }
  } finally {
    await closeQuietly(source);
    await closeQuietly(target);
  }
  return result;
}

export function renderPlan(p: Plan): string {
  const lines = ['Orden de carga: ' + p.order.join(' → '), '', 'tabla                   origen                          filas estimadas      MB  destino'];
  for (const t of p.tables) {
    lines.push(
      `${t.table.padEnd(22)}  ${t.source_table.padEnd(30)}  ${String(t.estimated_rows).padStart(15)}  ${(t.estimated_bytes / 1024 / 1024).toFixed(1).padStart(6)}  ${t.target_exists ? `existe (~${t.target_estimated_rows} filas)` : 'se creará'}`,
    );
  }
  lines.push('', p.will_create.length > 0 ? `Se creará: ${p.will_create.join(', ')}` : 'No se creará nada: todo existe.');
  for (const w of p.warnings) lines.push(`AVISO: ${w}`);
  for (const problem of p.problems) lines.push(`PROBLEMA: ${problem}`);
  lines.push(p.problems.length === 0 ? 'Listo para migrar.' : 'Corrija los problemas antes de migrar.');
  return lines.join('\n');
}

