import type { RunEvent } from '../../run/events.js';
import { RESUME_HINT } from '../../run/failure.js';
import type { RunSummary } from '../../run/summary.js';
import { SAME_DATABASE, formatNumber } from './format.js';
import { jsonEvent } from './json-events.js';
import { LogThrottle, describeTableProgress, fitToWidth, type TableStart } from './progress-text.js';
import { RunProgress } from './run-progress.js';
import { summaryTable, whatIsKept } from './summary-table.js';

export type OutputMode = 'tty' | 'lines' | 'json' | 'quiet';

type Output = NodeJS.WritableStream & { columns?: number };

export interface PrinterOptions {
  /** How to go on after a stop, as the operator types it. */
  resumeHint?: string;
  now?: () => number;
  /** Off a terminal, a table's progress goes to the log at most this often. */
  logGapMs?: number;
}

/**
 * Renders run events for a person (on a terminal, one live line per running table and
 * one for the run, redrawn in place and cut to the terminal's width; otherwise a plain
 * timestamped line each) or for a program (--json: one JSON object per event on stdout).
 */
export class EventPrinter {
  private readonly live = new Map<string, string>();
  private readonly started = new Map<string, TableStart>();
  private readonly run = new RunProgress();
  private readonly logThrottle: LogThrottle;
  private lastLines = 0;
  private readonly resumeHint: string;
  private readonly now: () => number;

  constructor(
    private readonly mode: OutputMode,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: Output = process.stderr,
    options: PrinterOptions = {},
  ) {
    this.resumeHint = options.resumeHint ?? RESUME_HINT;
    this.now = options.now ?? Date.now;
    this.logThrottle = new LogThrottle(options.logGapMs ?? 5000);
  }

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
        this.run.start(event.tables, event.estimatedRows);
        this.say(`Origen: ${event.source}`);
        this.say(`Destino: ${event.target}`);
        if (event.sameDatabase) this.say(SAME_DATABASE);
        this.say(`Migrando ${event.tables.join(', ')}`);
        break;
      case 'table_start':
        this.started.set(event.table, { at: this.now(), estimatedRows: event.estimatedRows });
        this.progressLine(event.table, event.estimatedRows > 0 ? `empezando (~${formatNumber(event.estimatedRows)} filas según el catálogo)` : 'empezando');
        break;
      case 'table_progress':
        this.run.progress(event.table, event.read, event.bytes);
        this.progressLine(event.table, describeTableProgress(event, this.started.get(event.table), this.now()));
        break;
      case 'table_done': {
        const r = event.result;
        this.run.finished(r.table, r.read, r.bytes);
        this.live.delete(r.table);
        this.say(
          event.kept
            ? `${r.table}: ya migrada, se conserva (${formatNumber(r.written)} escritas, ${formatNumber(r.rejected)} rechazadas)`
            : `${r.table}: ${formatNumber(r.written)} escritas, ${formatNumber(r.rejected)} rechazadas en ${r.seconds.toFixed(2)} s`,
        );
        break;
      }
      case 'table_retry':
        this.say(`${event.table}: fallo pasajero (${event.message}); reintento ${event.attempt} en ${Math.round(event.waitMs / 1000)} s`);
        break;
      case 'table_failed':
        this.live.delete(event.table);
        // A stop is told once, by the run; the table says only that it stopped.
        this.say(event.stopped ? `${event.table}: detenida` : `ERROR ${event.table}: ${event.message}`);
        break;
      case 'run_done':
        this.clearLive();
        this.out.write(summaryTable(event.summary, (this.out as Output).columns ?? 80) + '\n');
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
    this.say(`copiar-tablas: ${summary.stop_reason ?? 'detenido'}; ${whatIsKept(summary)}; ${this.resumeHint}`);
  }

  /** A line that stays: above the live lines on a terminal, timestamped in a log. */
  private say(text: string): void {
    if (this.mode === 'tty') {
      this.clearLive();
      this.err.write(text + '\n');
      this.drawLive();
    } else {
      this.err.write(`${new Date(this.now()).toISOString()} ${text}\n`);
    }
  }

  private progressLine(table: string, text: string): void {
    if (this.mode === 'tty') {
      this.live.set(table, `${table}: ${text}`);
      this.clearLive();
      this.drawLive();
      return;
    }
    const now = this.now();
    if (!this.logThrottle.due(table, now)) return;
    this.err.write(`${new Date(now).toISOString()} ${table}: ${text}\n`);
  }

  private clearLive(): void {
    if (this.mode !== 'tty' || this.lastLines === 0) return;
    this.err.write(`\x1b[${this.lastLines}A\x1b[0J`);
    this.lastLines = 0;
  }

  private drawLive(): void {
    if (this.mode !== 'tty') return;
    const columns = this.err.columns ?? 80;
    const runLine = this.live.size > 0 ? this.run.line() : null;
    const lines = [...this.live.values(), ...(runLine === null ? [] : [runLine])];
    for (const line of lines) this.err.write(fitToWidth(line, columns) + '\n');
    this.lastLines = lines.length;
  }
}
