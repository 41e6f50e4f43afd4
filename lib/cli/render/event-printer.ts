import type { RunEvent } from '../../run/events.js';
import { RESUME_HINT } from '../../run/failure.js';
import type { RunSummary } from '../../run/summary.js';
import { MB, formatNumber } from './format.js';
import { summaryTable } from './summary-table.js';

export type OutputMode = 'tty' | 'lines' | 'json' | 'quiet';

/**
 * Renders run events for a person (one live line per running table on a terminal, a
 * plain line per table every few seconds otherwise) or for a program (--json: one
 * JSON object per event on stdout).
 */
export class EventPrinter {
  private readonly live = new Map<string, string>();
  private readonly started = new Map<string, { at: number; estimatedRows: number }>();
  private lastLines = 0;

  constructor(
    private readonly mode: OutputMode,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
    private readonly resumeHint = RESUME_HINT,
  ) {}

  handle = (event: RunEvent): void => {
    if (this.mode === 'json') {
      this.out.write(JSON.stringify(jsonEvent(event)) + '\n');
      return;
    }
    if (this.mode === 'quiet') {
      if (event.type === 'table_failed' && !event.stopped) this.err.write(`ERROR ${event.table}: ${event.message}\n`);
      if (event.type === 'run_done') this.stopLine(event.summary);
      return;
    }
    switch (event.type) {
      case 'run_start':
        this.err.write(`Migrando ${event.tables.join(', ')}\n`);
        break;
      case 'table_start':
        this.started.set(event.table, { at: Date.now(), estimatedRows: event.estimatedRows });
        this.progressLine(event.table, event.estimatedRows > 0 ? `empezando (~${formatNumber(event.estimatedRows)} filas según el catálogo)` : 'empezando');
        break;
      case 'table_progress': {
        this.progressLine(event.table, this.describeProgress(event));
        break;
      }
      case 'table_done': {
        const r = event.result;
        this.live.delete(r.table);
        this.clearLive();
        this.err.write(
          event.kept
            ? `${r.table}: ya migrada, se conserva (${formatNumber(r.written)} escritas, ${formatNumber(r.rejected)} rechazadas)\n`
            : `${r.table}: ${formatNumber(r.written)} escritas, ${formatNumber(r.rejected)} rechazadas en ${r.seconds.toFixed(2)} s\n`,
        );
        this.drawLive();
        break;
      }
      case 'table_retry':
        this.clearLive();
        this.err.write(`${event.table}: fallo pasajero (${event.message}); reintento ${event.attempt} en ${Math.round(event.waitMs / 1000)} s\n`);
        this.drawLive();
        break;
      case 'table_failed':
        this.live.delete(event.table);
        this.clearLive();
        // A stop is told once, by the run; the table says only where it stopped.
        this.err.write(event.stopped ? `${event.table}: detenida\n` : `ERROR ${event.table}: ${event.message}\n`);
        this.drawLive();
        break;
      case 'run_done':
        this.clearLive();
        this.out.write(summaryTable(event.summary) + '\n');
        this.out.write(`Informe: ${event.summary.report_dir}\n`);
        this.stopLine(event.summary);
        break;
      default:
        break;
    }
  };

  /** The one line that tells a stop: why, what is kept, how to go on. */
  private stopLine(summary: RunSummary): void {
    if (!summary.stopped) return;
    this.err.write(`copiar-tablas: ${summary.stop_reason ?? 'detenido'}; ${whatIsKept(summary)}; ${this.resumeHint}\n`);
  }

  /** Rows (and share of the catalog's estimate), MB, rows/s, time left, rejects. */
  private describeProgress(event: { table: string; read: number; bytes: number; rejected: number }): string {
    const start = this.started.get(event.table);
    const seconds = start ? (Date.now() - start.at) / 1000 : 0;
    const rate = seconds > 0 ? event.read / seconds : 0;
    const estimate = start?.estimatedRows ?? 0;
    const parts = [estimate > 0 ? `${formatNumber(event.read)}/${formatNumber(estimate)} filas (${Math.min(100, Math.round((100 * event.read) / estimate))} %)` : `${formatNumber(event.read)} filas`];
    parts.push(`${(event.bytes / MB).toFixed(1)} MB`, `${formatNumber(Math.round(rate))} filas/s`);
    if (estimate > event.read && rate > 0) parts.push(`quedan ~${Math.ceil((estimate - event.read) / rate)} s`);
    parts.push(`${formatNumber(event.rejected)} rechazadas`);
    return parts.join(', ');
  }

  private progressLine(table: string, text: string): void {
    if (this.mode === 'tty') {
      this.live.set(table, `${table}: ${text}`);
      this.clearLive();
      this.drawLive();
    } else {
      this.err.write(`${new Date().toISOString()} ${table}: ${text}\n`);
    }
  }

  private clearLive(): void {
    if (this.mode !== 'tty' || this.lastLines === 0) return;
    this.err.write(`\x1b[${this.lastLines}A\x1b[0J`);
    this.lastLines = 0;
  }

  private drawLive(): void {
    if (this.mode !== 'tty') return;
    for (const line of this.live.values()) this.err.write(line + '\n');
    this.lastLines = this.live.size;
  }
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

function jsonEvent(event: RunEvent): Record<string, unknown> {
  const time = new Date().toISOString();
  switch (event.type) {
    case 'table_done':
      return { event: event.type, time, ...event.result };
    case 'run_done':
      return { event: event.type, time, ...event.summary };
    default: {
      const { type, ...rest } = event;
      return { event: type, time, ...rest };
    }
  }
}
