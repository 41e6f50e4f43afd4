import type { TableResult } from '../../load/table-load.js';
import type { RunEvent } from '../../run/events.js';
import { OUTPUT_VERSION, tableSummary } from '../../run/summary.js';

// The --json interface for schedulers and dashboards: one object per line, snake_case
// keys, seconds with three decimals, no prose in fields a program compares. Every
// object carries `event`, `version` and `time`; docs/contract.md lists the rest, and a
// test holds this file, the document and real runs to the same list.

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** Each event's fields besides event, version and time; `?` marks a field that may be absent. */
export const EVENT_FIELDS: Record<string, Record<string, `${FieldType}${'' | '?'}`>> = {
  run_start: { tables: 'array', report_dir: 'string', estimated_rows: 'object', source: 'string', target: 'string', same_database: 'boolean' },
  snapshot: { snapshot: 'string' },
  table_start: { table: 'string', estimated_rows: 'number' },
  table_progress: { table: 'string', phase: 'string', read: 'number', written: 'number', rejected: 'number', adjusted: 'number', bytes: 'number', ranges: 'object?', step: 'object?' },
  table_retry: { table: 'string', attempt: 'number', wait_ms: 'number', message: 'string' },
  table_done: {
    table: 'string',
    kept: 'boolean',
    read: 'number',
    written: 'number',
    rejected: 'number',
    adjusted: 'number',
    bytes: 'number',
    seconds: 'number',
    copy_seconds: 'number',
    index_seconds: 'number',
    analyze_seconds: 'number',
    ranges: 'number',
    ranges_resumed: 'number',
    reject_file: 'string',
    rejected_by_reason: 'object',
  },
  table_failed: { table: 'string', code: 'string', message: 'string', stopped: 'boolean', sqlstate: 'string?' },
  table_not_started: { table: 'string' },
  run_done: {
    ok: 'boolean',
    stopped: 'boolean?',
    stop_reason: 'string?',
    replaced: 'array?',
    tables: 'object',
    started_at: 'string',
    seconds: 'number',
    snapshot: 'string',
    report_dir: 'string',
    peak_rss_mb: 'number',
  },
  error: { code: 'string', message: 'string' },
  plan: { source: 'string', target: 'string', same_database: 'boolean', order: 'array', follow_slot: 'object?', tables: 'array', will_create: 'array', warnings: 'array', problems: 'array' },
  table_verified: {
    table: 'string',
    ok: 'boolean',
    source_rows: 'number',
    target_rows: 'number',
    rejected_rows: 'number',
    missing_or_different: 'number',
    unexpected: 'number',
    sample_missing_ids: 'array',
    sample_unexpected_ids: 'array',
    problems: 'array',
  },
  verify_progress: { table: 'string', phase: 'string', read: 'number', bytes: 'number' },
  verify_done: { ok: 'boolean', seconds: 'number', peak_rss_mb: 'number' },
  rollback_done: { executed: 'boolean', tables: 'array', state_schema: 'boolean', left_alone: 'array', follow: 'object?' },
  backup_done: { file: 'string' },
  status: { run: 'object?', follow: 'object?' },
  follow_progress: { applied_lsn: 'string', lag_bytes: 'number', lag_seconds: 'number', retained_wal_bytes: 'number', transactions: 'number', changes: 'number' },
  follow_retry: { attempt: 'number', wait_ms: 'number', message: 'string' },
  follow_done: { lsn: 'string', transactions: 'number', changes: 'number', seconds: 'number' },
  cutover_done: { ok: 'boolean', drain_lsn: 'string', applied_lsn: 'string', changes: 'number', counts: 'array', verified: 'boolean', seconds: 'number' },
};

function header(event: string): { event: string; version: number; time: string } {
  return { event, version: OUTPUT_VERSION, time: new Date().toISOString() };
}

function tableDone(result: TableResult, kept: boolean): Record<string, unknown> {
  const { status: _status, ...summary } = tableSummary(result);
  return { table: result.table, kept, ...summary };
}

export function jsonEvent(event: RunEvent): Record<string, unknown> {
  switch (event.type) {
    case 'run_start':
      return {
        ...header(event.type),
        tables: event.tables,
        report_dir: event.reportDir,
        estimated_rows: event.estimatedRows,
        source: event.source,
        target: event.target,
        same_database: event.sameDatabase,
      };
    case 'table_start':
      return { ...header(event.type), table: event.table, estimated_rows: event.estimatedRows };
    case 'table_retry':
      return { ...header(event.type), table: event.table, attempt: event.attempt, wait_ms: event.waitMs, message: event.message };
    case 'table_done':
      return { ...header(event.type), ...tableDone(event.result, event.kept === true) };
    case 'run_done': {
      const { version: _version, ...summary } = event.summary;
      return { ...header(event.type), ...summary };
    }
    default: {
      const { type, ...rest } = event;
      return { ...header(type), ...rest };
    }
  }
}

/** Any command's object for --json: the common header, then its fields. */
export function jsonRecord(event: keyof typeof EVENT_FIELDS, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...header(event), ...fields };
}

/** A failure of any command, for the program reading stdout (the sentence also goes to stderr). */
export function jsonError(code: string, message: string): Record<string, unknown> {
  return jsonRecord('error', { code, message });
}
