import { existsSync } from 'node:fs';
import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { rangeSpoolPath } from '../rejects/paths.js';
import { committedRangesOfUnfinishedTables } from '../state/loads.js';

/**
 * A resume rebuilds each unfinished table's reject CSV from the spools of the ranges
 * already committed: without them it would copy the remaining ranges and only fail at
 * the end. Checked before anything is copied; the folder is named, as the operator may
 * be in another one (cron, a new shell).
 */
export async function checkResumeFiles(client: pg.ClientBase, runId: number, reportDir: string): Promise<void> {
  const missing = new Map<string, number>();
  const committed = await committedRangesOfUnfinishedTables(client, runId);
  for (const { table, range } of committed) {
    if (!existsSync(rangeSpoolPath(reportDir, table, range))) missing.set(table, (missing.get(table) ?? 0) + 1);
  }
  if (missing.size === 0) return;
  const which = [...missing].map(([table, n]) => `${table}: ${n} de ${committed.filter((c) => c.table === table).length} tramos`).join('; ');
  throw new CopiarError(
    'INFORME_INCOMPLETO',
    `No se puede continuar la ejecución ${runId}: en ${reportDir} faltan los rechazos de tramos ya copiados (${which}). --resume necesita la carpeta del informe tal como la dejó la ejecución; si se perdió, lance la migración de nuevo sin --resume.`,
    { context: { reportDir, missing: Object.fromEntries(missing) } },
  );
}
