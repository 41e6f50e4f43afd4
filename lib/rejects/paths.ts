import path from 'node:path';

// Where a table's rejects live inside the report folder. The names are in Spanish: the
// operator opens this folder.

export function rejectCsvPath(reportDir: string, table: string): string {
  return path.join(reportDir, 'rejects', `${table}.csv`);
}

/** The raw spool of an atomic table, turned into its CSV once the rows are in. */
export function tableSpoolPath(reportDir: string, table: string): string {
  return path.join(reportDir, 'rejects', `.${table}.csv.crudo`);
}

/** The raw spool of one range of a table, kept until the table's final commit. */
export function rangeSpoolPath(reportDir: string, table: string, range: number): string {
  return path.join(reportDir, 'rejects', '.tramos', `${table}.${String(range).padStart(6, '0')}.crudo`);
}
