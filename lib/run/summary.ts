import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CopyCounts } from '../engine/counts.js';
import type { TableResult } from '../load/table-load.js';
import { PRIVATE_FILE_MODE, makePrivate, makePrivateDir } from '../private-files.js';

/** One table in summary.json; the keys are part of the interface (docs/contract.md). */
export interface TableSummary extends CopyCounts {
  seconds: number;
  copy_seconds: number;
  index_seconds: number;
  analyze_seconds: number;
  status: 'ok' | 'failed' | 'stopped';
  error?: string;
  ranges?: number;
  ranges_resumed?: number;
  /** Finished by an earlier, interrupted run and kept by --resume. */
  resumed?: boolean;
}

export interface RunSummary {
  tables: Record<string, TableSummary>;
  ok: boolean;
  /** Stopped on purpose (signal, --max-duration, --until). */
  stopped?: boolean;
  /** Tables that held rows copiar-tablas did not write, replaced because of --replace. */
  replaced?: string[];
  started_at: string;
  seconds: number;
  snapshot: string | null;
  report_dir: string;
  /** Peak resident memory of this process, for capacity planning. */
  peak_rss_mb: number;
}

const seconds = (s: number): number => Number(s.toFixed(3));

export function tableSummary(result: TableResult): TableSummary {
  return {
    read: result.read,
    written: result.written,
    rejected: result.rejected,
    adjusted: result.adjusted,
    seconds: seconds(result.seconds),
    copy_seconds: seconds(result.copySeconds),
    index_seconds: seconds(result.indexSeconds),
    analyze_seconds: seconds(result.analyzeSeconds),
    bytes: result.bytes,
    status: 'ok',
    ranges: result.ranges,
    ranges_resumed: result.rangesResumed,
  };
}

export function failedSummary(message: string, status: 'failed' | 'stopped' = 'failed'): TableSummary {
  return { read: 0, written: 0, rejected: 0, adjusted: 0, seconds: 0, copy_seconds: 0, index_seconds: 0, analyze_seconds: 0, bytes: 0, status, error: message };
}

export function newRunSummary(reportDir: string, startedAt: Date): RunSummary {
  return { tables: {}, ok: true, started_at: startedAt.toISOString(), seconds: 0, snapshot: null, report_dir: reportDir, peak_rss_mb: 0 };
}

export function writeSummary(reportDir: string, summary: RunSummary): void {
  makePrivateDir(reportDir);
  const file = path.join(reportDir, 'summary.json');
  writeFileSync(file, JSON.stringify(summary, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
  makePrivate(file);
}
