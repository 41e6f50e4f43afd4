import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { targetPrivilegeProblems } from '../pg/privileges.js';
import { rowPresence } from '../pg/catalog.js';
import { quoteIdent } from '../pg/quote.js';
import { checkShape, existingColumns } from '../schema/shape.js';
import { firingTriggers, triggersError, type FiringTrigger, type TriggerChoice } from '../schema/triggers.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { loadOrder } from '../table-spec/table-set.js';
import { createdTables, tablesTheToolWrote } from '../state/created-tables.js';
import { stateSchemaExists } from '../state/state-schema.js';

/** The tables of the run plus the ones their foreign keys point at, in load order. */
function tablesToEnsure(catalog: readonly AnyTableSpec[], specs: readonly AnyTableSpec[]): AnyTableSpec[] {
  const names = new Set(specs.map((s) => s.target));
  for (const spec of specs) for (const fk of spec.foreignKeys ?? []) names.add(fk.references);
  return loadOrder(catalog).filter((t) => names.has(t.target));
}

/** What a run would find in an existing table of its own. */
export interface TableContents {
  table: string;
  hasRows: boolean;
  /** Rows are there, and copiar-tablas never created nor loaded this table (by OID). */
  foreignRows: boolean;
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
  /** The run's own tables that exist (not the tables their foreign keys point at). */
  contents: TableContents[];
  /** Triggers of the run's tables that would fire for the rows it writes. */
  triggers: FiringTrigger[];
}

/**
 * Whether each existing table of the run holds rows, and whether copiar-tablas wrote
 * them: read with EXISTS, not from statistics, which a restart or a restore resets.
 */
async function tableContents(client: pg.ClientBase, specs: readonly AnyTableSpec[], existing: Map<string, unknown>): Promise<TableContents[]> {
  const ours = await tablesTheToolWrote(client);
  const present = specs.filter((s) => existing.has(s.target)).map((s) => s.target);
  const presence = await rowPresence(client, present.map(quoteIdent));
  return present.map((table, i) => {
    const { oid, hasRows } = presence[i]!;
    return { table, hasRows, foreignRows: hasRows && !ours.has(oid) };
  });
}

export async function inspectTarget(client: pg.ClientBase, catalog: readonly AnyTableSpec[], specs: readonly AnyTableSpec[]): Promise<TargetInspection> {
  const wanted = tablesToEnsure(catalog, specs);
  const existing = await existingColumns(client, wanted.map((s) => s.target));
  const created = new Set((await createdTables(client)).filter((t) => t.same).map((t) => t.table));
  const shapeErrors: CopiarError[] = [];
  for (const spec of wanted) {
    try {
      checkShape(spec, existing.get(spec.target), { createdByTool: created.has(spec.target) });
    } catch (error) {
      if (!(error instanceof CopiarError)) throw error;
      shapeErrors.push(error);
    }
  }
  const stateMissing = !(await stateSchemaExists(client));
  const existingTables = wanted.filter((s) => existing.has(s.target)).map((s) => s.target);
  const privilegeProblems = await targetPrivilegeProblems(client, existingTables, stateMissing || existingTables.length < wanted.length);
  const contents = shapeErrors.length === 0 ? await tableContents(client, specs, existing) : [];
  const triggers = await firingTriggers(client, specs.map((s) => s.target));
  return { wanted, existing, stateMissing, shapeErrors, privilegeProblems, contents, triggers };
}

/** Tables of the run holding rows copiar-tablas did not write. */
export function foreignRowTables(inspection: TargetInspection): string[] {
  return inspection.contents.filter((c) => c.foreignRows).map((c) => c.table);
}

export function foreignRowsError(tables: string[]): CopiarError {
  const which = tables.length === 1 ? `La tabla de destino ${tables[0]} ya tiene filas` : `Las tablas de destino ${tables.join(', ')} ya tienen filas`;
  return new CopiarError(
    'DESTINO_CON_DATOS',
    `${which} que copiar-tablas no escribió, y la migración las reemplazaría: si es lo que quiere, repita con --replace (el resumen lo registra); si no, renómbrela o vacíela antes.`,
    { context: { tables } },
  );
}

export function targetError(inspection: TargetInspection, options: { replace: boolean; triggers?: TriggerChoice }): CopiarError | null {
  const { privilegeProblems: problems } = inspection;
  if (inspection.shapeErrors.length > 0) return inspection.shapeErrors[0]!;
  if (problems.length > 0) return new CopiarError('PERMISOS_INSUFICIENTES', `El usuario de destino no puede migrar: ${problems.join('; ')}.`, { context: { problems } });
  const foreign = foreignRowTables(inspection);
  if (foreign.length > 0 && !options.replace) return foreignRowsError(foreign);
  return inspection.triggers.length > 0 && options.triggers === undefined ? triggersError(inspection.triggers) : null;
}
