import type pg from 'pg';
import { binaryColumns } from '../engine/binary-row-writer.js';
import { emptyCounts, type CopyCounts } from '../engine/counts.js';
import type { TableTransform } from '../engine/table-transform.js';
import { copyRows } from '../load/copy-rows.js';
import { ProgressReporter, type TableProgress } from '../load/progress.js';
import { loadLookupRules } from '../lookups/target-lookups.js';
import { readPreparedJoin, type PreparedValues } from '../lookups/prepared-join.js';
import { closeQuietly, connect, type Endpoint } from '../pg/connection.js';
import { quoteIdent } from '../pg/quote.js';
import { SlicedCopyIn } from '../pg/sliced-copy-in.js';
import { beginConsistentRead } from '../pg/snapshot.js';
import type { FastRule } from '../rules/types.js';
import { copyInSql } from '../table-spec/copy-sql.js';
import { emptyTables } from '../run/parent-check.js';
import { addSliceDigests, DigestSum, differingBuckets, keepSliceBuckets, rowHashingOf, rowsNotIn, tableDigests, type RowHashing } from './row-digests.js';
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

/**
 * Where verify is in a table: running the source through the rules, comparing with the
 * target, and, when some digests differ, running the source again to name the rows.
 */
export interface VerifyProgress {
  table: string;
  phase: 'copy' | 'compare' | 'differences';
  read: number;
  bytes: number;
}

export interface VerifyOptions {
  source: Endpoint;
  target: Endpoint;
  specs: AnyTableSpec[];
  onTable?: (check: TableCheck) => void;
  /** Every `progressIntervalMs` while the source goes through the rules (each pass), and once as the comparison starts. */
  onProgress?: (progress: VerifyProgress) => void;
  progressIntervalMs?: number;
  /** Bytes of COPY text per slice of expected rows (default 32 MB). */
  sliceBytes?: number;
}

const SAMPLE = 5;
// A slice of expected rows fits the session's temporary buffers, so the expected side
// never touches the server's disk (mensajes at 20M: 7.6 GB it used to write and read back).
const DEFAULT_SLICE_BYTES = 32 * 1024 * 1024;
const TEMP_BUFFERS = '64MB';

/**
 * The sessions of a verify: the source in one snapshot; on the target, two that take the
 * expected rows' slices in turn (one digests a slice while the next streams into the
 * other) and one that digests the migrated table meanwhile.
 */
interface VerifySession {
  source: pg.ClientBase;
  /** Slices; the first also keeps the differing rows and runs the checks. */
  target: pg.ClientBase;
  slices: readonly pg.ClientBase[];
  targetScan: pg.ClientBase;
  hashing: RowHashing;
  sliceBytes: number;
}

/**
 * The guide's validation made exact. Each table's source is run through the same rules
 * and reduced to digests per bucket of ids a slice at a time, on the target, in
 * session-local temporary tables (nothing persistent is written), while another session
 * digests the migrated table; the rows themselves are compared (EXCEPT ALL) only in the
 * buckets whose digests differ (row-digests.ts). Besides: the counts, duplicate phones,
 * orphan references and empty parents.
 */
export async function verify(options: VerifyOptions): Promise<TableCheck[]> {
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  let secondSlices: pg.Client | undefined;
  let targetScan: pg.Client | undefined;
  const checks: TableCheck[] = [];
  try {
    source = await connect({ ...options.source, readOnly: true, role: 'origen' });
    target = await connect({ ...options.target, role: 'destino' });
    secondSlices = await connect({ ...options.target, role: 'destino' });
    targetScan = await connect({ ...options.target, role: 'destino' });
    // Only takes effect before the session's first temporary table.
    for (const client of [target, secondSlices]) await client.query(`SET temp_buffers = '${TEMP_BUFFERS}'`);
    const session: VerifySession = { source, target, slices: [target, secondSlices], targetScan, hashing: await rowHashingOf(target), sliceBytes: options.sliceBytes ?? DEFAULT_SLICE_BYTES };
    // Every table read from the same moment of the source.
    await beginConsistentRead(source);
    for (const spec of options.specs) {
      const check = await verifyTable(session, spec, options);
      checks.push(check);
      options.onTable?.(check);
    }
    await source.query('COMMIT');
  } finally {
    await closeQuietly(source);
    await closeQuietly(target);
    await closeQuietly(secondSlices);
    await closeQuietly(targetScan);
  }
  return checks;
}

async function count(client: pg.ClientBase, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(sql);
  return Number(rows[0]!.n);
}

async function verifyTable(session: VerifySession, spec: AnyTableSpec, options: VerifyOptions): Promise<TableCheck> {
  const { source, target } = session;
  const table = quoteIdent(spec.target);
  const exists = (await target.query('SELECT to_regclass($1) AS t', [table])).rows[0].t !== null;
  if (!exists) {
    return { table: spec.target, ok: false, source_rows: 0, target_rows: 0, rejected_rows: 0, missing_or_different: 0, unexpected: 0, sample_missing_ids: [], sample_unexpected_ids: [], problems: ['la tabla no existe en el destino'] };
  }
  const expected = new ExpectedRows(session, spec, await loadLookupRules(spec, target), await readPreparedJoin(spec, source));
  await expected.createSlice();
  // The target's scan runs on its own session while the source goes through the rules.
  const targetDigests = tableDigests(session.targetScan, spec, table, session.hashing);
  targetDigests.catch(() => undefined);
  const expectedDigests = new DigestSum();
  const { read, rejected, bytes } = await throughRules(spec, options, 'copy', (watch) => expected.stream(watch, session.slices, (client) => addSliceDigests(client, spec, expected.slice, session.hashing, expectedDigests)));
  options.onProgress?.({ table: spec.target, phase: 'compare', read, bytes });
  const actualDigests = await targetDigests;
  const problems: string[] = [];
  const targetRows = actualDigests.rows;
  if (read !== targetRows + rejected) problems.push(`origen ${read} ≠ destino ${targetRows} + rechazadas ${rejected}`);
  const buckets = differingBuckets(expectedDigests.digests(), actualDigests.digests());
  let missing = { total: 0, ids: [] as string[] };
  let unexpected = { total: 0, ids: [] as string[] };
  if (buckets.length > 0) {
    // Only now are rows needed: the source goes through the rules again (same snapshot),
    // keeping the expected rows of the differing buckets, to name them.
    await throughRules(spec, options, 'differences', (watch) => expected.keepBuckets(buckets, watch));
    missing = await rowsNotIn(target, spec, expected.kept, table, buckets, SAMPLE);
    unexpected = await rowsNotIn(target, spec, table, expected.kept, buckets, SAMPLE);
    await target.query(`DROP TABLE ${expected.kept}`);
  }
  await expected.dropSlice();
  if (missing.total > 0) problems.push(`${missing.total} filas que el origen produce faltan o difieren en el destino`);
  if (unexpected.total > 0) problems.push(`${unexpected.total} filas del destino no salen del origen`);
  problems.push(...(await integrityProblems(target, spec)));
  // Against empty parents every child row is rejected or unlinked, and the source agrees.
  const emptyParents = await emptyTables(target, dependenciesOf(spec));
  if (emptyParents.size > 0) problems.push(`sus tablas padre ${[...emptyParents].join(' y ')} están vacías en el destino: sus filas no pudieron enlazarse`);
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

/**
 * What the source gives for the table, through the same rules, into a temporary table
 * on the target a slice at a time: each slice is handed to `afterSlice`, which empties
 * it, so a session holds one slice, in its temporary buffers, never the table.
 */
class ExpectedRows {
  readonly slice: string;
  /** The expected rows of differing buckets, kept to name them. */
  readonly kept: string;

  constructor(
    private readonly session: VerifySession,
    private readonly spec: AnyTableSpec,
    private readonly lookupRules: Record<string, FastRule>,
    private readonly prepared: PreparedValues | undefined,
  ) {
    this.slice = `pg_temp.${quoteIdent(`esperado_${spec.target}`)}`;
    this.kept = `pg_temp.${quoteIdent(`diferencias_${spec.target}`)}`;
  }

  /** A session's own empty table of the target's columns (left from an earlier verify in this session or not). */
  private emptyTableSql(name: string): string {
    return `DROP TABLE IF EXISTS ${name}; CREATE TEMP TABLE ${name} (LIKE ${quoteIdent(this.spec.target)})`;
  }

  /** The slice table, in each session that takes slices (a temporary table is the session's own). */
  async createSlice(): Promise<void> {
    for (const client of this.session.slices) await client.query(this.emptyTableSql(this.slice));
  }

  async dropSlice(): Promise<void> {
    for (const client of this.session.slices) await client.query(`DROP TABLE ${this.slice}`);
  }

  async stream(watch: (transform: TableTransform) => () => void, clients: readonly pg.ClientBase[], afterSlice: (client: pg.ClientBase) => Promise<void>): Promise<CopyCounts> {
    const { spec } = this;
    const binary = binaryColumns(spec) !== null;
    const sink = new SlicedCopyIn({ clients, copySql: copyInSql(spec, { freeze: false, into: this.slice, binary }), binary, sliceBytes: this.session.sliceBytes, afterSlice });
    const { source, target } = this.session;
    const { read, written, rejected, adjusted, bytes } = await copyRows({ spec, source, target, rejects: { write: () => undefined, ready: () => null }, lookupRules: this.lookupRules, prepared: this.prepared, sink, watch });
    return { read, written, rejected, adjusted, bytes };
  }

  /** Fills `kept` with the expected rows of these buckets only. */
  async keepBuckets(buckets: readonly number[], watch: (transform: TableTransform) => () => void): Promise<CopyCounts> {
    const { target } = this.session;
    await target.query(this.emptyTableSql(this.kept));
    // One session: the kept rows must all be where the comparison runs.
    return this.stream(watch, [target], () => keepSliceBuckets(target, this.spec, this.slice, this.kept, buckets));
  }
}

/** One pass of the source through the rules, reported as `phase` while it runs and once with its totals. */
async function throughRules(spec: AnyTableSpec, options: VerifyOptions, phase: VerifyProgress['phase'], pass: (watch: (transform: TableTransform) => () => void) => Promise<CopyCounts>): Promise<CopyCounts> {
  let done = emptyCounts();
  const onProgress = (p: TableProgress): void => options.onProgress?.({ table: p.table, phase, read: p.read, bytes: p.bytes });
  const progress = new ProgressReporter(spec.target, { onProgress, intervalMs: options.progressIntervalMs }, () => done);
  return progress.during(async () => (done = await pass(progress.watch)));
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
