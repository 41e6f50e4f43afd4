import type pg from 'pg';
import { emptyCounts } from '../engine/counts.js';
import type { TableTransform } from '../engine/table-transform.js';
import { copyRows } from '../load/copy-rows.js';
import { ProgressReporter, type TableProgress } from '../load/progress.js';
import { loadLookupRules } from '../lookups/target-lookups.js';
import { preparedJoinSql } from '../lookups/prepared-join.js';
import { closeQuietly, connect, type Endpoint } from '../pg/connection.js';
import { quoteIdent } from '../pg/quote.js';
import { beginConsistentRead } from '../pg/snapshot.js';
import { emptyTables } from '../run/parent-check.js';
import { differingBuckets, rowsNotIn } from './row-digests.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { dependenciesOf } from '../table-spec/table-set.js';

export interface TableCheck {
  table: string;
  ok: boolean;
  /** Rows the source selects for this table. */
  source_rows: number;
  target_rows: number;
  /** Rows the contract rejects, recomputed from the source. */
  rejected_rows: number;
  /** Rows the source should have produced that the target lacks or holds differently. */
  missing_or_different: number;
  /** Rows in the target that the source would not produce. */
  unexpected: number;
  /** A few ids of each kind, to start looking. */
  sample_missing_ids: string[];
  sample_unexpected_ids: string[];
  problems: string[];
}

/** Where verify is in a table: running the source through the rules, or comparing with the target. */
export interface VerifyProgress {
  table: string;
  phase: 'copy' | 'compare';
  read: number;
  bytes: number;
}

export interface VerifyOptions {
  source: Endpoint;
  target: Endpoint;
  specs: AnyTableSpec[];
  onTable?: (check: TableCheck) => void;
  /** Every `progressIntervalMs` while the source goes through the rules, and once as the comparison starts. */
  onProgress?: (progress: VerifyProgress) => void;
  progressIntervalMs?: number;
}

const SAMPLE = 5;

/**
 * The guide's validation made exact. Each table's source is run through the same rules
 * into a session-local temporary table on the target (nothing persistent is written),
 * which is then compared with the migrated table: by digests per bucket of ids, and row
 * by row (EXCEPT ALL over every column) only where the digests differ (row-digests.ts);
 * besides the counts, duplicate phones, orphan references and empty parents.
 */
export async function verify(options: VerifyOptions): Promise<TableCheck[]> {
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  const checks: TableCheck[] = [];
  try {
    source = await connect({ ...options.source, readOnly: true, role: 'origen' });
    target = await connect({ ...options.target, role: 'destino' });
    // Every table read from the same moment of the source.
    await beginConsistentRead(source);
    for (const spec of options.specs) {
      const check = await verifyTable(source, target, spec, options);
      checks.push(check);
      options.onTable?.(check);
    }
    await source.query('COMMIT');
  } finally {
    await closeQuietly(source);
    await closeQuietly(target);
  }
  return checks;
}

async function count(client: pg.ClientBase, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(sql);
  return Number(rows[0]!.n);
}

async function verifyTable(source: pg.ClientBase, target: pg.ClientBase, spec: AnyTableSpec, options: VerifyOptions): Promise<TableCheck> {
  const table = quoteIdent(spec.target);
  const exists = (await target.query('SELECT to_regclass($1) AS t', [table])).rows[0].t !== null;
  if (!exists) {
    return { table: spec.target, ok: false, source_rows: 0, target_rows: 0, rejected_rows: 0, missing_or_different: 0, unexpected: 0, sample_missing_ids: [], sample_unexpected_ids: [], problems: ['la tabla no existe en el destino'] };
  }
  let copied = emptyCounts();
  const onProgress = (p: TableProgress): void => options.onProgress?.({ table: p.table, phase: 'copy', read: p.read, bytes: p.bytes });
  const progress = new ProgressReporter(spec.target, { onProgress, intervalMs: options.progressIntervalMs }, () => copied);
  const { expected, read, rejected, bytes } = await progress.during(async () => {
    const result = await copyExpected(source, target, spec, progress.watch);
    copied = { ...emptyCounts(), read: result.read, rejected: result.rejected, bytes: result.bytes };
    return result;
  });
  options.onProgress?.({ table: spec.target, phase: 'compare', read, bytes });
  const problems: string[] = [];
  const targetRows = await count(target, `SELECT count(*) AS n FROM ${table}`);
  if (read !== targetRows + rejected) problems.push(`origen ${read} ≠ destino ${targetRows} + rechazadas ${rejected}`);
  const buckets = await differingBuckets(target, spec, expected, table);
  const missing = await rowsNotIn(target, spec, expected, table, buckets, SAMPLE);
  const unexpected = await rowsNotIn(target, spec, table, expected, buckets, SAMPLE);
  if (missing.total > 0) problems.push(`${missing.total} filas que el origen produce faltan o difieren en el destino`);
  if (unexpected.total > 0) problems.push(`${unexpected.total} filas del destino no salen del origen`);
  problems.push(...(await integrityProblems(target, spec)));
  // Against empty parents every child row is rejected or unlinked, and the source agrees.
  const emptyParents = await emptyTables(target, dependenciesOf(spec));
  if (emptyParents.size > 0) problems.push(`sus tablas padre ${[...emptyParents].join(' y ')} están vacías en el destino: sus filas no pudieron enlazarse`);
  await target.query(`DROP TABLE ${expected}`);
  return {
    table: spec.target,
    ok: problems.length === 0,
    source_rows: read,
    target_rows: targetRows,
    rejected_rows: rejected,
    missing_or_different: missing.total,
    unexpected: unexpected.total,
    sample_missing_ids: missing.ids,
    sample_unexpected_ids: unexpected.ids,
    problems,
  };
}

/** What the source gives for the table, through the same rules, into a temporary table on the target. */
async function copyExpected(
  source: pg.ClientBase,
  target: pg.ClientBase,
  spec: AnyTableSpec,
  watch: (transform: TableTransform) => () => void,
): Promise<{ expected: string; read: number; rejected: number; bytes: number }> {
  const name = quoteIdent(`esperado_${spec.target}`);
  const expected = `pg_temp.${name}`;
  await target.query(`DROP TABLE IF EXISTS ${expected}`);
  await target.query(`CREATE TEMP TABLE ${name} (LIKE ${quoteIdent(spec.target)})`);
  const rows = await copyRows({
    spec,
    source,
    target,
    rejects: { write: () => undefined, ready: () => null },
    lookupRules: await loadLookupRules(spec, target),
    preparedJoin: await preparedJoinSql(spec, source),
    into: expected,
    watch,
  });
  return { expected, read: rows.read, rejected: rows.rejected, bytes: rows.bytes };
}

/** Duplicate phones and references to rows that are not there. */
async function integrityProblems(target: pg.ClientBase, spec: AnyTableSpec): Promise<string[]> {
  const table = quoteIdent(spec.target);
  const problems: string[] = [];
  if ((spec.unique ?? []).some((u) => u.length === 1 && u[0] === 'telefono')) {
    const duplicates = await count(target, `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} GROUP BY telefono HAVING count(*) > 1) d`);
    if (duplicates > 0) problems.push(`${duplicates} teléfonos repetidos`);
  }
  for (const fk of spec.foreignKeys ?? []) {
    const column = quoteIdent(fk.columns[0]!);
    const referenced = quoteIdent(fk.referencedColumns[0]!);
    const orphans = await count(
      target,
      `SELECT count(*) AS n FROM ${table} t WHERE t.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.references)} r WHERE r.${referenced} = t.${column})`,
    );
    if (orphans > 0) problems.push(`${orphans} filas con ${fk.columns[0]} que no existe en ${fk.references}`);
  }
  return problems;
}
