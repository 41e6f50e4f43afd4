import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { rowPresenceOf, rowPresenceSql, type RowPresenceRow } from '../pg/catalog.js';
import { inOneTrip } from '../pg/one-trip.js';
import { targetPrivilegeProblems, targetPrivilegesSql, unreadableTargetTables, type TargetPrivileges } from '../pg/privileges.js';
import { quoteIdent } from '../pg/quote.js';
import { checkShape, columnsByTable, existingColumnsSql, type ColumnRow } from '../schema/shape.js';
import { firingTriggersSql, triggersError, type FiringTrigger, type TriggerChoice } from '../schema/triggers.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { dependenciesOf, loadOrder } from '../table-spec/table-set.js';
import { CREATED_TABLES_SQL, TABLES_THE_TOOL_WROTE_SQL, createdTablesOf, type CreatedTableRow } from '../state/created-tables.js';
import { STATE_PRESENCE_SQL } from '../state/state-schema.js';
import { emptyParentsOf, parentsOutsideRun, type EmptyParents } from './parent-check.js';

/**
 * The tables of the run plus the ones their foreign keys point at and their lookups read,
 * in load order: each must exist, have its shape and be readable.
 */
function tablesToEnsure(catalog: readonly AnyTableSpec[], specs: readonly AnyTableSpec[]): AnyTableSpec[] {
  const names = new Set(specs.map((s) => s.target));
  for (const spec of specs) {
    for (const fk of spec.foreignKeys ?? []) names.add(fk.references);
    for (const parent of dependenciesOf(spec)) names.add(parent);
  }
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
  /** The run's tables whose lookups would read empty (or missing) parents outside the run. */
  emptyParents: EmptyParents[];
}

/**
 * Two round trips whatever the number of tables (a hosted server is one away): first the
 * catalog (columns, the state schema, privileges, triggers), then what the catalog says
 * there is to read: what the tool created and loaded, and whether each existing table of
 * the run, and each parent its lookups read outside the run, holds rows (EXISTS, not
 * statistics, which a restart or a restore resets).
 */
export async function inspectTarget(client: pg.ClientBase, catalog: readonly AnyTableSpec[], specs: readonly AnyTableSpec[]): Promise<TargetInspection> {
  const wanted = tablesToEnsure(catalog, specs);
  const runTables = specs.map((s) => s.target);
  const [columnRows, stateRows, privilegeRows, triggerRows] = await inOneTrip(client, [
    existingColumnsSql(wanted.map((s) => s.target)),
    STATE_PRESENCE_SQL,
    targetPrivilegesSql(wanted.map((s) => s.target)),
    firingTriggersSql(runTables),
  ]);
  const existing = columnsByTable(columnRows!.rows as ColumnRow[]);
  const state = stateRows!.rows[0] as { schema: boolean; tables: boolean };
  const privileges = privilegeRows!.rows[0] as TargetPrivileges;
  const triggers = triggerRows!.rows as FiringTrigger[];
  // A table the user may not read is named among the privilege problems, not read here.
  const unreadable = unreadableTargetTables(privileges);
  const readable = (table: string): boolean => existing.has(table) && !unreadable.has(table);
  const present = runTables.filter(readable);
  const parents = parentsOutsideRun(specs);
  const presentParents = parents.filter(readable);
  const looked = [...present, ...presentParents];
  const toolState = await inOneTrip(client, [...(state.tables ? [CREATED_TABLES_SQL, TABLES_THE_TOOL_WROTE_SQL] : []), ...(looked.length > 0 ? [rowPresenceSql(looked.map(quoteIdent))] : [])]);
  const created = new Set(state.tables ? createdTablesOf(toolState[0]!.rows as CreatedTableRow[]).filter((t) => t.same).map((t) => t.table) : []);
  const ours = new Set(state.tables ? (toolState[1]!.rows as { oid: string }[]).map((r) => Number(r.oid)) : []);
  const presence = looked.length > 0 ? rowPresenceOf(toolState.at(-1)!.rows as RowPresenceRow[]) : [];
  const holdsRows = new Map(looked.map((table, i) => [table, presence[i]!.hasRows]));
  // A parent the user may not read is a privilege problem already, not an empty one.
  const emptyParentTables = new Set(parents.filter((p) => !existing.has(p) || holdsRows.get(p) === false));
  const shapeErrors: CopiarError[] = [];
  for (const spec of wanted) {
    try {
      checkShape(spec, existing.get(spec.target), { createdByTool: created.has(spec.target) });
    } catch (error) {
      if (!(error instanceof CopiarError)) throw error;
      shapeErrors.push(error);
    }
  }
  const stateMissing = !state.schema;
  const privilegeProblems = targetPrivilegeProblems(privileges, stateMissing || existing.size < wanted.length);
  const contents: TableContents[] =
    shapeErrors.length === 0
      ? present.map((table, i) => {
          const { oid, hasRows } = presence[i]!;
          return { table, hasRows, foreignRows: hasRows && !ours.has(oid) };
        })
      : [];
  return { wanted, existing, stateMissing, shapeErrors, privilegeProblems, contents, triggers, emptyParents: emptyParentsOf(specs, emptyParentTables) };
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
