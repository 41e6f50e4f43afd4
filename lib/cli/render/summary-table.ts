import { sumCounts, type CopyCounts } from '../../engine/counts.js';
import type { RunSummary } from '../../run/summary.js';
import { MB, formatNumber } from './format.js';

interface Column {
  header: string;
  cell: (counts: CopyCounts, seconds: number) => string;
  /** Left out first when the table does not fit the terminal (the numbers are in summary.json). */
  optional?: number;
}

const COLUMNS: Column[] = [
  { header: 'leídas', cell: (c) => formatNumber(c.read) },
  { header: 'escritas', cell: (c) => formatNumber(c.written) },
  { header: 'rechazadas', cell: (c) => formatNumber(c.rejected) },
  { header: 'ajustadas', cell: (c) => formatNumber(c.adjusted), optional: 2 },
  { header: 'MB', cell: (c) => (c.bytes / MB).toFixed(1), optional: 3 },
  { header: 'segundos', cell: (_, s) => s.toFixed(2) },
  { header: 'filas/s', cell: (c, s) => (s > 0 ? formatNumber(Math.round(c.read / s)) : '-'), optional: 1 },
];

function render(names: string[], counts: CopyCounts[], seconds: number[], columns: Column[]): string[] {
  const header = ['tabla', ...columns.map((c) => c.header)];
  const rows = names.map((name, i) => [name, ...columns.map((c) => c.cell(counts[i]!, seconds[i]!))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = rows.map(line);
  return [line(header), rule, ...body.slice(0, -1), rule, body[body.length - 1]!];
}

/**
 * The closing table, like pgloader's: one line per table and the totals, within
 * `width` columns (an 80-column terminal, or a log file): the least needed columns go
 * first. A table that did not finish is named below it, with what it keeps.
 */
export function summaryTable(summary: RunSummary, width = 80): string {
  const entries = Object.entries(summary.tables);
  const names = [...entries.map(([name]) => name), 'total'];
  const counts = [...entries.map(([, t]) => t), sumCounts(Object.values(summary.tables))];
  const seconds = [...entries.map(([, t]) => t.seconds + t.analyze_seconds), summary.seconds];
  let columns = COLUMNS;
  let lines = render(names, counts, seconds, columns);
  for (const drop of [1, 2, 3]) {
    if (Math.max(...lines.map((l) => l.length)) <= width) break;
    columns = columns.filter((c) => c.optional !== drop);
    lines = render(names, counts, seconds, columns);
  }
  return [...lines, ...statusLines(summary), ...rejectLines(summary, width)].join('\n');
}

function statusLines(summary: RunSummary): string[] {
  const lines: string[] = [];
  const notStarted = Object.entries(summary.tables).filter(([, t]) => t.status === 'not_started').map(([name]) => name);
  for (const [name, t] of Object.entries(summary.tables)) {
    if (t.status === 'failed') lines.push(`${name}: FALLÓ${t.ranges_done ? ` (se conservan ${t.ranges_done} de ${t.ranges} tramos)` : ''}`);
    if (t.status === 'stopped') lines.push(`${name}: DETENIDA${t.ranges_done ? ` (se conservan ${t.ranges_done} de ${t.ranges} tramos)` : ''}`);
  }
  if (notStarted.length > 0) lines.push(`no iniciadas: ${notStarted.join(', ')}`);
  return lines;
}

/** The rejects of each table by motivo, most frequent first, so nobody has to cut | sort | uniq the CSV. */
function rejectLines(summary: RunSummary, width: number): string[] {
  const lines: string[] = [];
  for (const [name, t] of Object.entries(summary.tables)) {
    const reasons = Object.entries(t.rejected_by_reason ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    if (reasons.length > 0) lines.push(...wrap(`  ${name}:`, reasons.map(([reason, n]) => `${reason} ${formatNumber(n)}`), width));
  }
  return lines.length === 0 ? [] : ['Rechazos por motivo (detalle en rejects/<tabla>.csv del informe):', ...lines];
}

/** `head` then the items, comma-separated, continued on indented lines within `width`. */
function wrap(head: string, items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = head;
  for (const [i, item] of items.entries()) {
    const piece = `${item}${i < items.length - 1 ? ',' : ''}`;
    if (line.trim().length > 0 && line.length + 1 + piece.length > width && line !== head) {
      lines.push(line);
      line = '    ';
    }
    line += (line.endsWith(' ') ? '' : ' ') + piece;
  }
  lines.push(line);
  return lines;
}

/** What a stop keeps, table by table: finished tables, committed ranges, and what starts over. */
export function whatIsKept(summary: RunSummary): string {
  const tables = Object.entries(summary.tables);
  const finished = tables.filter(([, t]) => t.status === 'ok').length;
  const parts = [finished === 0 ? 'ninguna tabla terminada' : `${finished} ${finished === 1 ? 'tabla terminada' : 'tablas terminadas'}`];
  for (const [name, t] of tables) {
    if (t.status !== 'stopped' && t.status !== 'failed') continue;
    parts.push(t.ranges_done ? `${name}: ${t.ranges_done} de ${t.ranges} tramos (${formatNumber(t.written)} filas escritas)` : `${name}: empezará de nuevo`);
  }
  return `se conserva: ${parts.join('; ')}`;
}
