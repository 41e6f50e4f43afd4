import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { CopiarError } from '../errors.js';
import type { CopyCounts } from '../engine/counts.js';
import type { TableResult } from '../load/table-load.js';
import { isDiskFull, makePrivate, makePrivateDir, writePrivateFileWhole } from '../private-files.js';

/** One table in summary.json; the keys are part of the interface (docs/contract.md). */
export interface TableSummary extends CopyCounts {
  seconds: number;
  copy_seconds: number;
  index_seconds: number;
  analyze_seconds: number;
  status: 'ok' | 'failed' | 'stopped' | 'not_started';
  error?: string;
  ranges?: number;
  ranges_resumed?: number;
  /** A table that did not finish: the ranges committed, whose rows (the counts) stay for --resume. */
  ranges_done?: number;
  /** Finished by an earlier, interrupted run and kept by --resume. */
  resumed?: boolean;
  /** The table's reject CSV, absolute. */
  reject_file?: string;
  /** Rejected rows of each motivo. */
  rejected_by_reason?: Record<string, number>;
}

/**
 * The version of what programs read: summary.json and the --json events
 * (docs/contract.md). Raised when a key changes meaning or goes away.
 */
export const OUTPUT_VERSION = 1;

export interface RunSummary {
  version: typeof OUTPUT_VERSION;
  tables: Record<string, TableSummary>;
  ok: boolean;
  /** Stopped on purpose (signal, --max-duration, --until) or by a full disk. */
  stopped?: boolean;
  /** Why it stopped, in one sentence. */
  stop_reason?: string;
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

/** A command's wall time since `started` (performance.now()) and this process's peak resident memory, as run_done and verify_done report them. */
export function timeAndMemory(started: number): { seconds: number; peak_rss_mb: number } {
  return { seconds: seconds((performance.now() - started) / 1000), peak_rss_mb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)) };
}

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
    reject_file: result.rejectFile,
    rejected_by_reason: result.rejectsByReason ?? {},
  };
}

/** What a table that did not finish keeps: its committed ranges. */
export interface KeptRanges extends CopyCounts {
  ranges: number;
  rangesDone: number;
}

export function failedSummary(message: string, status: 'failed' | 'stopped' = 'failed', kept?: KeptRanges): TableSummary {
  if (kept === undefined) return { ...emptySummary(status), error: message };
  const { ranges, rangesDone, ...counts } = kept;
  return { ...emptySummary(status), ...counts, ranges, ranges_done: rangesDone, error: message };
}

function emptySummary(status: TableSummary['status']): TableSummary {
  return { read: 0, written: 0, rejected: 0, adjusted: 0, seconds: 0, copy_seconds: 0, index_seconds: 0, analyze_seconds: 0, bytes: 0, status };
}

/** A table the run never reached because it was stopped first. */
export function notStartedSummary(): TableSummary {
  return emptySummary('not_started');
}

export function newRunSummary(reportDir: string, startedAt: Date): RunSummary {
  return { version: OUTPUT_VERSION, tables: {}, ok: true, started_at: startedAt.toISOString(), seconds: 0, snapshot: null, report_dir: reportDir, peak_rss_mb: 0 };
}

export function writeSummary(reportDir: string, summary: RunSummary, resumeHint: string): void {
  const file = path.join(reportDir, 'summary.json');
  try {
    makePrivateDir(reportDir);
    writePrivateFileWhole(file, JSON.stringify(summary, null, 2) + '\n');
    makePrivate(file);
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    throw new CopiarError('DISCO_LLENO', `No se pudo escribir ${file}: el disco está lleno. El estado de la ejecución está guardado en la base de destino; libere espacio y, si la ejecución no terminó, ${resumeHint}.`, { cause: error });
  }
}
