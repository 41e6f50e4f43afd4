import type { FollowProgress, FollowResult } from '../../follow/follower.js';
import type { CutoverResult } from '../../ops/cutover.js';
import { MB, formatNumber } from './format.js';
import { fitToWidth } from './progress-text.js';

/** One line of where a follow stands: what it has applied, how far behind it is, what the slot keeps. */
export function describeFollow(p: FollowProgress): string {
  return `siguiendo cambios: ${formatNumber(p.changes)} aplicados en ${formatNumber(p.transactions)} transacciones; retraso ${formatMb(p.lagBytes)} y ${p.lagSeconds.toFixed(1)} s; el slot retiene ${formatMb(p.retainedBytes)} de WAL en el origen`;
}

function formatMb(bytes: number): string {
  return `${(bytes / MB).toLocaleString('es-EC', { maximumFractionDigits: 1 })} MB`;
}

/** Prints follow progress for a person: redrawn in place on a terminal, a timestamped line otherwise. */
export class FollowPrinter {
  private shown = false;

  constructor(
    private readonly tty: boolean,
    private readonly err: NodeJS.WritableStream & { columns?: number },
  ) {}

  progress = (p: FollowProgress): void => {
    const line = describeFollow(p);
    if (this.tty) {
      this.err.write(`\r\x1b[2K${fitToWidth(line, this.err.columns ?? 100)}`);
      this.shown = true;
    } else {
      this.err.write(`${new Date().toISOString()} ${line}\n`);
    }
  };

  clear(): void {
    if (this.shown) this.err.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** What a stopped follower says: where it stands, and the two ways on. */
export function followStopped(result: FollowResult): string {
  return [
    `Seguimiento detenido en ${result.lsn}: ${formatNumber(result.changes)} cambios aplicados en ${formatNumber(result.transactions)} transacciones; el destino está al día hasta ahí.`,
    'El slot copiar_tablas sigue en el origen y retiene WAL hasta que se continúe o se borre:',
    '  continuar:  npx copiar-tablas --follow --resume',
    '  terminar:   detenga las escrituras de la aplicación y ejecute npx copiar-tablas cutover',
    '  abandonar:  npx copiar-tablas rollback --yes (borra también el slot y la publicación)',
  ].join('\n');
}

export function cutoverReport(result: CutoverResult): string {
  const lines = result.counts.map((c) => `  ${c.ok ? 'OK ' : 'MAL'} ${c.table.padEnd(22)} origen ${formatNumber(c.source_rows).padStart(12)}  destino ${formatNumber(c.target_rows).padStart(12)}`);
  const verified = result.checks === null ? '' : result.checks.every((c) => c.ok) ? '\nverify: todo coincide.' : `\nverify: difieren ${result.checks.filter((c) => !c.ok).map((c) => c.table).join(', ')}.`;
  const end = result.ok
    ? `Corte terminado: aplicados ${formatNumber(result.follow.changes)} cambios hasta ${result.drain_lsn}; slot y publicación borrados del origen. La aplicación estuvo detenida ${result.seconds.toFixed(1)} s (de principio a fin de cutover).`
    : 'Corte incompleto: las cuentas no cuadran; el slot se conserva. Revise con npx copiar-tablas verify y repita npx copiar-tablas cutover.';
  return `Filas por tabla tras aplicar todo:\n${lines.join('\n')}${verified}\n${end}`;
}
