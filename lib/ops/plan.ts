import type pg from 'pg';
import { databaseIdentity, tableEstimate } from '../pg/catalog.js';
import { maskUrl } from '../pg/secrets.js';
import { closeQuietly, connect, type Endpoint } from '../pg/connection.js';
import { FOLLOW_NAME, followProblems, followSlot } from '../follow/requirements.js';
import { incompleteSourceError, inspectSource } from '../run/source-check.js';
import { emptyParentsError } from '../run/parent-check.js';
import { foreignRowTables, foreignRowsError, inspectTarget, type TableContents } from '../run/target-check.js';
import { triggersError, type TriggerChoice } from '../schema/triggers.js';
import { primaryKeyName, uniqueName } from '../schema/ddl.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { STATE_SCHEMA } from '../state/state-schema.js';

export interface PlanTable {
  table: string;
  source_table: string;
  /** The condition that selects the source rows of this table, when it takes only some. */
  source_filter: string | null;
  /** From the catalog (reltuples / pg_stat_user_tables), as the guide reads it. */
  estimated_rows: number;
  estimated_bytes: number;
  target_exists: boolean;
  /** Read with EXISTS: statistics say 0 after a restart or a restore. */
  target_has_rows: boolean;
  /** Rows copiar-tablas did not write: a run refuses the table without --replace. */
  target_foreign_rows: boolean;
}

export interface Plan {
  /** Both URLs, passwords masked, and whether they lead to one database. */
  source: string;
  target: string;
  same_database: boolean;
  order: string[];
  /** A replication slot copiar_tablas on the source: it keeps WAL there until it is dropped. */
  follow_slot: { active: boolean; retained_bytes: number } | null;
  tables: PlanTable[];
  will_create: string[];
  warnings: string[];
  problems: string[];
}

export interface PlanOptions {
  source: Endpoint;
  target: Endpoint;
  /** Every table the tool knows: foreign keys may need tables the run does not copy. */
  catalog: readonly AnyTableSpec[];
  /** The run's tables, in load order. */
  specs: AnyTableSpec[];
  /** The run would be given --replace. */
  replace?: boolean;
  /** The run would be given --triggers. */
  triggers?: TriggerChoice;
  /** The run would be given --follow: what the source lacks for it is a problem too. */
  follow?: boolean;
}

/**
 * What a run would do, read from the catalogs of both sides on read-only sessions:
 * nothing is written anywhere. The same checks as a run, listed instead of stopping.
 */
export async function plan(options: PlanOptions): Promise<Plan> {
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  const result: Plan = { source: maskUrl(options.source.url), target: maskUrl(options.target.url), same_database: false, order: options.specs.map((s) => s.target), follow_slot: null, tables: [], will_create: [], warnings: [], problems: [] };
  try {
    source = await connect({ ...options.source, readOnly: true, role: 'origen' });
    target = await connect({ ...options.target, readOnly: true, role: 'destino' });
    result.same_database = (await databaseIdentity(source)) === (await databaseIdentity(target));
    // A standby has no current WAL position to measure against: no slot to report there.
    const slot = await followSlot(source).catch(() => null);
    if (slot) {
      result.follow_slot = { active: slot.active, retained_bytes: slot.retainedBytes };
      result.warnings.push(
        `El origen tiene un slot de replicación ${FOLLOW_NAME} ${slot.active ? 'en uso' : 'sin uso'} que retiene ${(slot.retainedBytes / 1024 / 1024).toFixed(1)} MB de WAL, y seguirá reteniéndolo mientras exista: si nadie lo usa, bórrelo en el origen con SELECT pg_drop_replication_slot('${FOLLOW_NAME}').`,
      );
    }
    if (options.follow === true) result.problems.push(...(await followProblems(source, options.specs)).map((p) => `--follow: ${p}.`));
    const sourceProblems = await inspectSource(source, options.specs);
    result.problems.push(...sourceProblems.denied);
    const incomplete = incompleteSourceError(sourceProblems.missing);
    if (incomplete) result.problems.push(incomplete.message);

    const inspection = await inspectTarget(target, options.catalog, options.specs);
    result.problems.push(...inspection.privilegeProblems, ...inspection.shapeErrors.map((e) => e.message));
    result.will_create.push(...inspection.wanted.filter((s) => !inspection.existing.has(s.target)).map((s) => s.target));
    if (inspection.stateMissing) result.will_create.push(`esquema ${STATE_SCHEMA}`);
    if (inspection.emptyParents.length > 0) result.problems.push(emptyParentsError(inspection.emptyParents).message);
    const foreign = foreignRowTables(inspection);
    if (foreign.length > 0 && !options.replace) result.problems.push(foreignRowsError(foreign).message);
    const { triggers } = inspection;
    if (triggers.length > 0 && options.triggers === undefined) result.problems.push(triggersError(triggers).message);
    for (const t of options.triggers === undefined ? [] : triggers) {
      result.warnings.push(`${t.table} tiene el disparador ${t.name}: ${options.triggers === 'skip' ? 'no se ejecutará para las filas migradas (sigue activo para la aplicación)' : 'se ejecutará una vez por cada fila migrada'}.`);
    }
    for (const spec of options.specs) {
      const contents = inspection.contents.find((c) => c.table === spec.target);
      const { row, warnings } = await describeTable(source, target, spec, inspection.existing.has(spec.target), contents);
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
async function describeTable(
  source: pg.ClientBase,
  target: pg.ClientBase,
  spec: AnyTableSpec,
  exists: boolean,
  contents: TableContents | undefined,
): Promise<{ row: PlanTable; warnings: string[] }> {
  const sourceEstimate = await tableEstimate(source, spec.source.table);
  const row: PlanTable = {
    table: spec.target,
    source_table: spec.source.table,
    source_filter: spec.source.where ?? null,
    estimated_rows: sourceEstimate.rows,
    estimated_bytes: sourceEstimate.bytes,
    target_exists: exists,
    target_has_rows: contents?.hasRows === true,
    target_foreign_rows: contents?.foreignRows === true,
  };
  const warnings: string[] = [];
  if (!exists) return { row, warnings };
  if (row.target_has_rows) warnings.push(`${spec.target} ya tiene filas: la migración las reemplaza (TRUNCATE en la misma transacción).`);
  const { rows: indexes } = await target.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1', [spec.target]);
  const present = new Set(indexes.map((r) => r.indexname));
  const missingIndexes = Object.keys(spec.indexes).filter((name) => !present.has(name));
  if (missingIndexes.length > 0) warnings.push(`${spec.target} no tiene los índices ${missingIndexes.join(', ')}: se crearán al cargar.`);
  // Indexes someone added stay, and COPY maintains them row by row: at 5M messages, six
  // such indexes on mensajes took its copy from 42 s to 262 s on the benchmark's server.
  const own = new Set([...Object.keys(spec.indexes), primaryKeyName(spec), ...(spec.unique ?? []).map((columns) => uniqueName(spec, columns))]);
  const extra = [...present].filter((name) => !own.has(name)).sort();
  if (extra.length > 0) {
    warnings.push(`${spec.target} tiene índices que no son de la migración (${extra.join(', ')}): se conservan, y la carga los mantiene fila a fila, varias veces más lenta que construirlos después; si puede, bórrelos antes y créelos al terminar.`);
  }
  return { row, warnings };
}
