import type { TableCheck, VerifyProgress } from '../../ops/verify.js';
import { MB, formatNumber } from './format.js';
import { LogThrottle, fitToWidth } from './progress-text.js';

export function renderCheck(c: TableCheck): string {
  const head = `${c.ok ? 'OK   ' : 'FALLA'} ${c.table}: origen ${c.source_rows} = destino ${c.target_rows} + rechazadas ${c.rejected_rows}`;
  if (c.ok) return head;
  const samples = [
    c.sample_missing_ids.length > 0 ? `  faltan o difieren (ids): ${c.sample_missing_ids.join(', ')}` : '',
    c.sample_unexpected_ids.length > 0 ? `  sobran (ids): ${c.sample_unexpected_ids.join(', ')}` : '',
  ].filter(Boolean);
  return [head, ...c.problems.map((p) => `  - ${p}`), ...samples].join('\n');
}

export function renderVerifyEnd(checks: TableCheck[]): string {
  const failed = checks.filter((c) => !c.ok);
  return failed.length === 0 ? 'Todo cuadra: el destino es exactamente lo que el origen produce.' : `Hay diferencias en: ${failed.map((c) => c.table).join(', ')}.`;
}

type Output = NodeJS.WritableStream & { columns?: number };

/**
 * verify's progress, as the run's: one line redrawn in place on a terminal, a timestamped
 * line every few seconds in a log (and one when the comparison starts).
 */
export class VerifyProgressPrinter {
  private shown = false;
  private readonly logThrottle: LogThrottle;

  constructor(
    private readonly mode: 'tty' | 'lines',
    private readonly err: Output,
    logGapMs = 5000,
  ) {
    this.logThrottle = new LogThrottle(logGapMs);
  }

  progress = (p: VerifyProgress): void => {
    const text =
      p.phase === 'copy'
        ? `verificando ${p.table}: ${formatNumber(p.read)} filas del origen pasadas por las reglas, ${(p.bytes / MB).toFixed(1)} MB`
        : p.phase === 'compare'
          ? `verificando ${p.table}: comparando ${formatNumber(p.read)} filas con el destino`
          : `verificando ${p.table}: hay diferencias; pasando el origen otra vez para nombrar las filas: ${formatNumber(p.read)} filas, ${(p.bytes / MB).toFixed(1)} MB`;
    if (this.mode === 'tty') {
      this.err.write(`\r\x1b[K${fitToWidth(text, this.err.columns ?? 80)}`);
      this.shown = true;
      return;
    }
    const now = Date.now();
    if (!this.logThrottle.due(p.table, now, p.phase)) return;
    this.err.write(`${new Date(now).toISOString()} ${text}\n`);
  };

  /** Before a result goes to stdout: the live line goes away. */
  clear(): void {
    if (!this.shown) return;
    this.err.write('\r\x1b[K');
    this.shown = false;
  }
}
