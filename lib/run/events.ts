import type { TableProgress } from '../load/progress.js';
import type { TableResult } from '../load/table-load.js';
import type { RunSummary } from './summary.js';

/** What a run reports as it goes: rendered by the CLI for a person, or as JSON lines. */
export type RunEvent =
  | {
      type: 'run_start';
      tables: string[];
      reportDir: string;
      /** The catalog's row estimate of each table's source, for the run's time left. */
      estimatedRows: Record<string, number>;
      /** Both URLs, passwords masked, and whether they lead to one database. */
      source: string;
      target: string;
      sameDatabase: boolean;
    }
  | { type: 'snapshot'; snapshot: string }
  | { type: 'table_start'; table: string; estimatedRows: number }
  | ({ type: 'table_progress' } & TableProgress)
  | { type: 'table_done'; result: TableResult; /** Finished by the run being resumed, kept as it was. */ kept?: boolean }
  | { type: 'table_failed'; table: string; code: string; message: string; sqlstate?: string; stopped: boolean }
  | { type: 'table_not_started'; table: string }
  | { type: 'table_retry'; table: string; attempt: number; waitMs: number; message: string }
  | { type: 'run_done'; summary: RunSummary };
