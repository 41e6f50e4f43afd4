import { MB, formatNumber } from './format.js';
import { formatDuration } from './progress-text.js';

/** The whole run in one line: tables done, rows and bytes read, time left by the catalog's estimates. */
export class RunProgress {
  private readonly started = Date.now();
  private estimates: Record<string, number> = {};
  private readonly read = new Map<string, { rows: number; bytes: number }>();
  private readonly done = new Set<string>();
  private tables = 0;

  start(tables: string[], estimatedRows: Record<string, number>): void {
    this.tables = tables.length;
    this.estimates = estimatedRows;
  }

  progress(table: string, rows: number, bytes: number): void {
    this.read.set(table, { rows, bytes });
  }

  finished(table: string, rows: number, bytes: number): void {
    this.read.set(table, { rows, bytes });
    this.done.add(table);
  }

  /** Null before the run has started any table. */
  line(now = Date.now()): string | null {
    if (this.tables === 0 || this.read.size === 0) return null;
    let rows = 0;
    let bytes = 0;
    for (const r of this.read.values()) {
      rows += r.rows;
      bytes += r.bytes;
    }
    // A finished table counts what it read, whatever the catalog guessed.
    let expected = 0;
    for (const [table, estimate] of Object.entries(this.estimates)) expected += this.done.has(table) ? (this.read.get(table)?.rows ?? 0) : Math.max(estimate, this.read.get(table)?.rows ?? 0);
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? rows / seconds : 0;
    const parts = [`total: ${this.done.size}/${this.tables} tablas`, `${formatNumber(rows)}/${formatNumber(expected)} filas`, `${(bytes / MB).toFixed(1)} MB`];
    if (expected > rows && rate > 0) parts.push(`quedan ~${formatDuration((expected - rows) / rate)}`);
    return parts.join(', ');
  }
}
