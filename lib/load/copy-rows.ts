import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CopyCounts } from '../engine/counts.js';
import { binaryColumns } from '../engine/binary-row-writer.js';
import { TableTransform, type RejectSink } from '../engine/table-transform.js';
import { CopiarError } from '../errors.js';
import { CopyOutStream } from '../pg/copy-out-stream.js';
import { binarySourceTypes, joinInProcessTypes } from './binary-source.js';
import type { PreparedValues } from '../lookups/prepared-join.js';
import { preparedJoinFields } from '../table-spec/field-order.js';
import type { FastRule } from '../rules/types.js';
import { suspendTriggers } from '../schema/triggers.js';
import { copyInSql, copyOutQuery } from '../table-spec/copy-sql.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

export interface CopyRowsOptions {
  spec: AnyTableSpec;
  /** A session inside the run's snapshot. */
  source?: pg.ClientBase;
  /** The source's rows as COPY text, instead of a read of `source` (rows the follow took from its stream). */
  input?: Readable;
  target: pg.ClientBase;
  rejects: RejectSink;
  lookupRules: Record<string, FastRule>;
  /** The table's prepared join clause, built once per table (prepared-join.ts). */
  preparedJoin?: string;
  /**
   * The table's prepared join values, read once per table: a binary copy looks them up
   * itself, any other sends them as the clause. Instead of preparedJoin.
   */
  prepared?: PreparedValues;
  /** Only this primary-key range of the source. */
  rangeWhere?: string;
  /** The target table's firing triggers are disabled for this COPY, inside the caller's transaction (--triggers skip). */
  skipTriggers?: boolean;
  /** COPY FREEZE: the target table was created or truncated in this transaction. */
  freeze?: boolean;
  /** Another table to copy into (a quoted name): a temporary table. */
  into?: string;
  /**
   * Where the transformed rows go instead of one COPY on `target` (verify's slices); it
   * counts the rows the server took, and with `binary` takes COPY binary rows (of the
   * table's binaryColumns) without their framing.
   */
  sink?: Writable & { rowCount: number; readonly binary?: boolean };
  signal?: AbortSignal;
  /** Sees the transform while it runs, for progress. */
  watch?: (transform: TableTransform) => () => void;
}

export interface CopiedRows extends CopyCounts {
  seconds: number;
  /** Rows the target's COPY says it took. */
  serverRows: number;
}

/** One COPY from the source through the table's rules into the target, inside the caller's transaction. */
export async function copyRows(options: CopyRowsOptions): Promise<CopiedRows> {
  const { spec } = options;
  // Binary where the columns allow it: about half the target's parsing.
  const binary = options.sink === undefined || options.sink.binary === true ? (binaryColumns(spec) ?? undefined) : undefined;
  // Binary from the source too when its types allow: uuids and timestamps pass untouched.
  // Then the prepared join is done here: the source's hash join cost it 1.0–1.6 µs of
  // CPU a row, the lookup here 0.15–0.45 µs (docs/performance-log.md).
  const readsSource = binary !== undefined && options.input === undefined;
  const joinTypes = readsSource && options.prepared !== undefined ? await joinInProcessTypes(sourceSession(options), spec) : null;
  const binaryInput = joinTypes ?? (readsSource ? ((await binarySourceTypes(sourceSession(options), spec)) ?? undefined) : undefined);
  const joinInProcess = joinTypes !== null ? { fields: preparedJoinFields(spec), values: options.prepared!.values } : undefined;
  const preparedJoin = joinInProcess !== undefined ? undefined : (options.preparedJoin ?? options.prepared?.sql());
  // Before any stream opens: a refusal here leaves no query in flight on either side.
  const restoreTriggers = options.skipTriggers === true && options.sink === undefined && options.into === undefined ? await suspendTriggers(options.target, [spec.target]) : undefined;
  const transform = new TableTransform({ spec, rejects: options.rejects, lookupRules: options.lookupRules, binary, binaryRowsOnly: options.sink !== undefined, binaryInput, joinInProcess });
  const unwatch = options.watch?.(transform);
  const copyOut =
    options.input ?? sourceSession(options).query(new CopyOutStream(copyOutQuery(spec, { preparedJoin, joinInProcess: joinInProcess !== undefined, rangeWhere: options.rangeWhere, binary: binaryInput !== undefined })));
  const copyIn = options.sink ?? options.target.query(copyFrom(copyInSql(spec, { freeze: options.freeze === true, into: options.into, binary: binary !== undefined })));
  const started = performance.now();
  try {
    await pipeline(copyOut, transform, copyIn, { signal: options.signal });
  } finally {
    unwatch?.();
  }
  await restoreTriggers?.();
  return { ...transform.counters, bytes: transform.bytesRead, seconds: (performance.now() - started) / 1000, serverRows: copyIn.rowCount };
}

function sourceSession(options: CopyRowsOptions): pg.ClientBase {
  if (options.source === undefined) throw new Error(`${options.spec.target}: copyRows sin sesión de origen ni filas`);
  return options.source;
}

/** Every row read is written or rejected, and the server took exactly the rows written. */
export function checkAccounts(table: string, counts: CopyCounts, serverRows: number): void {
  if (counts.read !== counts.written + counts.rejected || serverRows !== counts.written) {
    throw new CopiarError(
      'CUENTAS_NO_CUADRAN',
      `${table}: las cuentas no cuadran (leídas ${counts.read}, escritas ${counts.written} según la regla y ${serverRows} según el servidor, rechazadas ${counts.rejected}); no se guardó nada.`,
    );
  }
}
