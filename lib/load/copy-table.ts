import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { quoteIdent } from '../pg/quote.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { tableLoadState } from '../state/loads.js';
import { copyAtomic } from './atomic.js';
import { copyInRanges } from './ranges.js';
import type { TableLoad, TableResult } from './table-load.js';

async function analyze(target: pg.ClientBase, spec: AnyTableSpec): Promise<number> {
  const started = performance.now();
  await target.query(`ANALYZE ${quoteIdent(spec.target)}`);
  return (performance.now() - started) / 1000;
}

/**
 * Rows committed before indexes (in one range or several) when the table has a range key
 * and is larger than `largeTableRows` or `rangeRows`, or a resume left it that way.
 */
async function copiesInRanges(load: TableLoad): Promise<boolean> {
  if (load.spec.source.rangeKey === undefined) return false;
  const previous = await tableLoadState(load.target, load.runId, load.spec.target);
  if (previous?.status === 'cargando') return true;
  return load.estimatedRows > Math.min(load.rangeRows, load.largeTableRows);
}

/** Copies one table, in ranges or atomically, then ANALYZE. */
export async function copyTable(load: TableLoad): Promise<TableResult> {
  const key = load.spec.source.rangeKey;
  const loaded = key !== undefined && (await copiesInRanges(load)) ? await copyInRanges(load, key) : await copyAtomic(load);
  const { read, written, rejected, adjusted, bytes } = loaded;
  load.progress?.onProgress?.({ table: loaded.table, phase: 'analyze', read, written, rejected, adjusted, bytes });
  return { ...loaded, analyzeSeconds: await analyze(load.target, load.spec) };
}
