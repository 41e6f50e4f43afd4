import { rmSync } from 'node:fs';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { rangeSpoolPath, rejectCsvPath } from './paths.js';
import { writeRejectCsv, type RejectsByReason } from './reject-csv.js';

function rangeSpools(reportDir: string, table: string, ranges: number): string[] {
  return Array.from({ length: ranges }, (_, i) => rangeSpoolPath(reportDir, table, i));
}

/**
 * Writes the CSV from the ranges' spools, in range order: the same file an uninterrupted
 * run writes, however many times the run was stopped and resumed. The spools stay until
 * removeRangeSpools, after the table's final commit: a resume may need them again.
 */
export async function writeRangesRejectCsv(reportDir: string, spec: AnyTableSpec, ranges: number): Promise<{ file: string; byReason: RejectsByReason }> {
  const file = rejectCsvPath(reportDir, spec.target);
  return { file, byReason: await writeRejectCsv(file, spec, rangeSpools(reportDir, spec.target, ranges)) };
}

export function removeRangeSpools(reportDir: string, table: string, ranges: number): void {
  for (const spool of rangeSpools(reportDir, table, ranges)) rmSync(spool, { force: true });
}
