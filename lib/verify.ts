import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { closeQuietly, connect } from './connection.js';
import { CopyOutStream } from './copy-out-stream.js';
import { loadLookupRules } from './lookups.js';
import { preparedJoinSql } from './prepared-join.js';
import { copyOutQuery, quoteIdent, wireColumnList } from './select.js';
import type { AnyTableSpec } from './spec.js';
import { TableTransform } from './table-transform.js';

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

export interface VerifyOptions {
  sourceUrl: string;
  targetUrl: string;
  specs: AnyTableSpec[];
  sslCa?: string;
  onTable?: (check: TableCheck) => void;
}

const SAMPLE = 5;

/**
 * The guide's validation made exact. Each table's source is run through the same rules
 * into a session-local temporary table on the target (nothing persistent is written),
 * which is then compared with the migrated table row by row (EXCEPT ALL over every
 * column), besides the counts, duplicate phones and orphan references.
 */
export async function verify(options: VerifyOptions): Promise<TableCheck[]> {
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  const checks: TableCheck[] = [];
  try {
    source = await connect({ url: options.sourceUrl, sslCa: options.sslCa, readOnly: true, role: 'origen' });
    target = await connect({ url: options.targetUrl, sslCa: options.sslCa, role: 'destino' });
    // Every table read from the same moment of the source.
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const spec of options.specs) {
      const check = await verifyTable(source, target, spec);
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

async function verifyTable(source: pg.ClientBase, target: pg.ClientBase, spec: AnyTableSpec): Promise<TableCheck> {
  const table = quoteIdent(spec.target);
  const expected = quoteIdent(`esperado_${spec.target}`);
  const columns = wireColumnList(spec);
  const problems: string[] = [];
  const exists = (await target.query('SELECT to_regclass($1) AS t', [table])).rows[0].t !== null;
  if (!exists) {
    return { table: spec.target, ok: false, source_rows: 0, target_rows: 0, rejected_rows: 0, missing_or_different: 0, unexpected: 0, sample_missing_ids: [], sample_unexpected_ids: [], problems: ['la tabla no existe en el destino'] };
  }
  await target.query(`DROP TABLE IF EXISTS pg_temp.${expected}`);
  await target.query(`CREATE TEMP TABLE ${expected} (LIKE ${table})`);
  const lookupRules = await loadLookupRules(spec, target);
  let rejected = 0;
  const transform = new TableTransform({ spec, lookupRules, rejects: { write: () => void rejected++, ready: () => null } });
  const preparedJoin = await preparedJoinSql(spec, source);
  await pipeline(source.query(new CopyOutStream(copyOutQuery(spec, { preparedJoin }))), transform, target.query(copyFrom(`COPY pg_temp.${expected} (${columns}) FROM STDIN`)));

  const targetRows = await count(target, `SELECT count(*) AS n FROM ${table}`);
  const sourceRows = transform.counters.read;
  if (sourceRows !== targetRows + rejected) problems.push(`origen ${sourceRows} ≠ destino ${targetRows} + rechazadas ${rejected}`);
  const id = quoteIdent(spec.keptIdColumn);
  // One scan each way: the total and a small sample of ids.
  const diff = async (from: string, minus: string): Promise<{ total: number; ids: string[] }> => {
    const { rows } = await target.query<{ id: string; total: string }>(
      `SELECT ${id}::text AS id, count(*) OVER () AS total FROM (SELECT ${columns} FROM ${from} EXCEPT ALL SELECT ${columns} FROM ${minus}) d ORDER BY 1 LIMIT ${SAMPLE}`,
    );
    return { total: rows.length > 0 ? Number(rows[0]!.total) : 0, ids: rows.map((r) => r.id) };
  };
  const missing = await diff(`pg_temp.${expected}`, table);
  const unexpected = await diff(table, `pg_temp.${expected}`);
  if (missing.total > 0) problems.push(`${missing.total} filas que el origen produce faltan o difieren en el destino`);
  if (unexpected.total > 0) problems.push(`${unexpected.total} filas del destino no salen del origen`);

  for (const column of ['telefono'].filter((c) => (spec.unique ?? []).some((u) => u.length === 1 && u[0] === c))) {
    const duplicates = await count(target, `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} GROUP BY ${quoteIdent(column)} HAVING count(*) > 1) d`);
    if (duplicates > 0) problems.push(`${duplicates} teléfonos repetidos`);
  }
  for (const fk of spec.foreignKeys ?? []) {
    const [column] = fk.columns;
    const [referenced] = fk.referencedColumns;
    const orphans = await count(
      target,
      `SELECT count(*) AS n FROM ${table} t WHERE t.${quoteIdent(column!)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.references)} r WHERE r.${quoteIdent(referenced!)} = t.${quoteIdent(column!)})`,
    );
    if (orphans > 0) problems.push(`${orphans} filas con ${column} que no existe en ${fk.references}`);
  }
  await target.query(`DROP TABLE pg_temp.${expected}`);
  return {
    table: spec.target,
    ok: problems.length === 0,
    source_rows: sourceRows,
    target_rows: targetRows,
    rejected_rows: rejected,
    missing_or_different: missing.total,
    unexpected: unexpected.total,
    sample_missing_ids: missing.ids,
    sample_unexpected_ids: unexpected.ids,
    problems,
  };
}
