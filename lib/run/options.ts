import path from 'node:path';
import { CopiarError } from '../errors.js';
import type { ConnectionOptions } from '../pg/connection.js';
import { LARGE_TABLE_ROWS, WHOLE_TABLE_ROWS } from '../load/table-load.js';
import { TRIGGER_CHOICES, type TriggerChoice } from '../schema/triggers.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import type { RunEvent } from './events.js';
import { RESUME_HINT } from './failure.js';

export interface RunOptions {
  sourceUrl: string;
  targetUrl: string;
  /** Root certificate for both sides' TLS; each side's own, when given, wins. */
  sslCa?: string;
  sourceSslCa?: string;
  targetSslCa?: string;
  /** Every table the tool knows how to migrate (transforms/), whatever this run copies. */
  catalog: readonly AnyTableSpec[];
  /** Target tables to migrate; all of the catalog when empty. */
  tables?: readonly string[];
  /** The report folder; by default copiar-tablas-informes/<fecha>. Stored absolute, so a resume finds it from anywhere. */
  reportDir?: string;
  /** Copies at once: tables, and the ranges of a table in ranges, share them (--jobs). */
  jobs?: number;
  /** Rows per primary-key range, each committing on its own (by default, with no time limit, a table is one range). */
  rangeRows?: number;
  /**
   * Tables larger than this (or than rangeRows) commit their rows before their indexes
   * are built side by side; smaller ones load in one transaction with their indexes.
   */
  largeTableRows?: number;
  /** The run has a time limit (--max-duration, --until): big tables go in smaller ranges. */
  deadline?: boolean;
  /** Transient failures retried per table, with exponential backoff. */
  retries?: number;
  /** Continue the last unfinished run (its tables, report folder and ranges). */
  resume?: boolean;
  /** Replace rows copiar-tablas did not write (without it, such a table stops the run). */
  replace?: boolean;
  /** What the target tables' triggers do with the rows the tool writes; a run that would fire some refuses without it. */
  triggers?: TriggerChoice;
  /** Aborting stops the run: the range in flight rolls back, committed ranges stay. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /**
   * An exported snapshot to read the source in (the follow mode's slot), instead of a
   * new one; it must stay valid until onSnapshot is called.
   */
  snapshot?: string;
  /** Called once the run's snapshot is taken, before any table is read; awaited. */
  onSnapshot?: (snapshot: string) => Promise<void> | void;
  progressIntervalMs?: number;
  /** How to go on after a stop or a failure, as the caller's operator would type it. */
  resumeHint?: string;
}

/**
 * With a time limit a stop must not throw the night away: a table loads in ranges from
 * this size, so a stop loses at most one range (seconds of work), not the whole table.
 */
export const DEADLINE_RANGE_ROWS = 500_000;
export const DEFAULT_RETRIES = 3;

/** The options with their defaults, checked before anything connects. */
export interface RunSettings extends RunOptions {
  reportDir: string;
  /** The caller named the folder (a resume must then be of a run that uses it). */
  reportDirGiven: boolean;
  source: ConnectionOptions;
  target: ConnectionOptions;
  jobs: number;
  rangeRows: number;
  largeTableRows: number;
  retries: number;
  resumeHint: string;
}

function defaultReportDir(now = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\..*/, '');
  return path.join('copiar-tablas-informes', stamp);
}

function integerFrom(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new CopiarError('USO_INVALIDO', `${name} debe ser un entero de ${min} en adelante, se recibió ${String(value)}.`);
  }
  return value;
}

export function runSettings(options: RunOptions): RunSettings {
  if (options.triggers !== undefined && !TRIGGER_CHOICES.includes(options.triggers)) {
    throw new CopiarError('USO_INVALIDO', `--triggers debe ser ${TRIGGER_CHOICES.join(' o ')}, se recibió ${JSON.stringify(options.triggers)}.`);
  }
  return {
    ...options,
    source: { url: options.sourceUrl, sslCa: options.sourceSslCa ?? options.sslCa, role: 'origen', readOnly: true },
    target: { url: options.targetUrl, sslCa: options.targetSslCa ?? options.sslCa, role: 'destino' },
    reportDir: path.resolve(options.reportDir ?? defaultReportDir()),
    reportDirGiven: options.reportDir !== undefined,
    jobs: integerFrom('--jobs', options.jobs ?? 1, 1),
    rangeRows: integerFrom('--range-rows', options.rangeRows ?? (options.deadline === true ? DEADLINE_RANGE_ROWS : WHOLE_TABLE_ROWS), 1),
    largeTableRows: integerFrom('largeTableRows', options.largeTableRows ?? LARGE_TABLE_ROWS, 1),
    retries: integerFrom('--retries', options.retries ?? DEFAULT_RETRIES, 0),
    resumeHint: options.resumeHint ?? RESUME_HINT,
  };
}
