import { sumCounts, type CopyCounts } from '../../engine/counts.js';
import type { RunSummary, TableSummary } from '../../run/summary.js';
import { MB, formatNumber } from './format.js';

function pad(text: string, width: number, right = true): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function cells(name: string, counts: CopyCounts, seconds: number): string[] {
  return [
    name,
    formatNumber(counts.read),
    formatNumber(counts.written),
    formatNumber(counts.rejected),
    formatNumber(counts.adjusted),
    (counts.bytes / MB).toFixed(1),
    seconds.toFixed(2),
    seconds > 0 ? formatNumber(Math.round(counts.read / seconds)) : '-',
  ];
}

const STATUS_LABEL: Record<TableSummary['status'], string> = { ok: '', failed: ' (FALLÓ)', stopped: ' (DETENIDA)', not_started: ' (NO INICIADA)' };

/** The closing table, like pgloader's: one line per table and the totals. */
export function summaryTable(summary: RunSummary): string {
  const header = ['tabla', 'leídas', 'escritas', 'rechazadas', 'ajustadas', 'MB', 'segundos', 'filas/s'];
  const rows = Object.entries(summary.tables).map(([table, t]) =>
    cells(`${table}${STATUS_LABEL[t.status]}`, t, t.seconds + t.analyze_seconds),
  );
  const total = cells('total', sumCounts(Object.values(summary.tables)), summary.seconds);
  const widths = header.map((h, i) => Math.max(h.length, total[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => pad(c, widths[i]!, i > 0)).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line), rule, line(total)].join('\n');
}
