import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { unreadableTables, targetPrivilegeProblems } from '../pg/privileges.js';
import { inTransaction } from '../pg/transaction.js';
import { createTableSql, indexSql, keySql } from '../schema/ddl.js';
import { checkShape, existingColumns } from '../schema/shape.js';
import { requiredSourceColumns } from '../table-spec/source-columns.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { loadOrder } from '../table-spec/table-set.js';
import { recordCreatedTable } from '../state/created-tables.js';
import { ensureStateSchema, stateSchemaExists } from '../state/state-schema.js';

// The checks before any write, for a run (which stops at the first problem) and for
// `plan` (which lists them all).

/** What the source lacks for these tables, one sentence per missing grant or table. */
export interface SourceProblems {
  denied: string[];
  missing: string[];
}

export async function inspectSource(client: pg.ClientBase, specs: readonly AnyTableSpec[]): Promise<SourceProblems> {
  const required = requiredSourceColumns(specs);
  const unreadable = await unreadableTables(client, required.keys());
  const denied = unreadable.map((table) => `sin permiso SELECT sobre ${table} en el origen (GRANT SELECT ON ${table} TO <usuario>)`);
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [[...required.keys()]],
  );
  const missing: string[] = [];
  for (const [table, columns] of required) {
    // A table the user may not read shows no columns: its grant is the problem.
    if (unreadable.includes(table)) continue;
    const present = new Set(rows.filter((r) => r.table_name === table).map((r) => r.column_name));
    if (present.size === 0) {
      missing.push(`no existe la tabla ${table}`);
      continue;
    }
    const absent = [...columns].filter((c) => !present.has(c));
    if (absent.length > 0) missing.push(`a ${table} le falta ${absent.join(', ')}`);
  }
  return { denied, missing };
}

/** Source tables or columns that are not there: the source is not the legacy database the specs read. */
export function incompleteSourceError(missing: string[]): CopiarError | null {
  if (missing.length === 0) return null;
  return new CopiarError('ORIGEN_INCOMPLETO', `La base de origen no tiene lo que la migración lee (${missing.join('; ')}): revise que --source apunte a la base heredada correcta.`, {
    context: { problems: missing },
  });
}

function sourceError(problems: SourceProblems): CopiarError | null {
  if (problems.denied.length > 0) {
    return new CopiarError('PERMISOS_INSUFICIENTES', `El usuario de origen no puede leer lo que la migración necesita: ${problems.denied.join('; ')}.`, { context: { problems: problems.denied } });
  }
  return incompleteSourceError(problems.missing);
}

/** The tables of the run plus the ones their foreign keys point at, in load order. */
export function tablesToEnsure(catalog: readonly AnyTableSpec[], specs: readonly AnyTableSpec[]): AnyTableSpec[] {
  const names = new Set(specs.map((s) => s.target));
  for (const spec of specs) for (const fk of spec.foreignKeys ?? []) names.add(fk.references);
  return loadOrder(catalog).filter((t) => names.has(t.target));
}

export interface TargetInspection {
  /** The tables the run needs in the target, in load order. */
  wanted: AnyTableSpec[];
  /** Those that exist, with their columns' types. */
  existing: Map<string, Map<string, string>>;
  stateMissing: boolean;
  /** One per existing table of another shape. */
  shapeErrors: CopiarError[];
  privilegeProblems: string[];
}

export async function inspectTarget(client: pg.ClientBase, catalog: readonly AnyTableSpec[], specs: readonly AnyTableSpec[]): Promise<TargetInspection> {
  const wanted = tablesToEnsure(catalog, specs);
  const existing = await existingColumns(client, wanted.map((s) => s.target));
  const shapeErrors: CopiarError[] = [];
  for (const spec of wanted) {
    try {
      checkShape(spec, existing.get(spec.target));
    } catch (error) {
      if (!(error instanceof CopiarError)) throw error;
      shapeErrors.push(error);
    }
  }
  const stateMissing = !(await stateSchemaExists(client));
  const existingTables = wanted.filter((s) => existing.has(s.target)).map((s) => s.target);
  const privilegeProblems = await targetPrivilegeProblems(client, existingTables, stateMissing || existingTables.length < wanted.length);
  return { wanted, existing, stateMissing, shapeErrors, privilegeProblems };
}

function targetError(inspection: TargetInspection): CopiarError | null {
  const { privilegeProblems: problems } = inspection;
  if (inspection.shapeErrors.length > 0) return inspection.shapeErrors[0]!;
  return problems.length > 0 ? new CopiarError('PERMISOS_INSUFICIENTES', `El usuario de destino no puede migrar: ${problems.join('; ')}.`, { context: { problems } }) : null;
}

/** Refuses a source or target the run cannot use, then creates what the target lacks. */
export async function prepareTarget(source: pg.ClientBase, target: pg.ClientBase, catalog: readonly AnyTableSpec[], specs: readonly AnyTableSpec[]): Promise<void> {
  const sourceProblem = sourceError(await inspectSource(source, specs));
  if (sourceProblem) throw sourceProblem;
  const inspection = await inspectTarget(target, catalog, specs);
  const targetProblem = targetError(inspection);
  if (targetProblem) throw targetProblem;
  await ensureStateSchema(target);
  const missing = inspection.wanted.filter((s) => !inspection.existing.has(s.target));
  if (missing.length === 0) return;
  await inTransaction(target, async () => {
    for (const spec of missing) {
      await target.query(createTableSql(spec));
      await recordCreatedTable(target, spec.target);
    }
    // Empty tables get their keys and indexes at once, so a table loaded alone later
    // finds the keys its foreign keys need; each load rebuilds them anyway.
    for (const spec of missing) for (const sql of [...keySql(spec), ...indexSql(spec)]) await target.query(sql);
  });
}
