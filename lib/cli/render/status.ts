import type { FollowStatus, RunStatus, TableStatus } from '../../ops/status.js';
import { RESUME_HINT } from '../../run/failure.js';
import { formatNumber } from './format.js';
import { formatDuration } from './progress-text.js';

const STATE: Record<string, string> = {
  en_curso: 'en curso',
  interrumpida: `interrumpida: su proceso ya no está (${RESUME_HINT})`,
  completada: 'completada',
  detenida: `detenida (${RESUME_HINT})`,
  fallida: `fallida (${RESUME_HINT})`,
};

function tableLine(t: TableStatus): string {
  const counts = `${formatNumber(t.written)} escritas, ${formatNumber(t.rejected)} rechazadas`;
  // A large table copied whole is one range: its phase says it all.
  const ranges = t.ranges === null || t.ranges < 2 ? '' : `tramos ${t.ranges_done}/${t.ranges}, `;
  const inFlight = t.rows_in_flight > 0 ? `, ${formatNumber(t.rows_in_flight)} filas en curso` : '';
  const left = t.seconds_left ? `, quedan ~${formatDuration(t.seconds_left)}` : '';
  switch (t.phase) {
    case 'done':
      return `terminada: ${counts}`;
    case 'pending':
      return 'pendiente';
    case 'indexes':
      return `claves e índices (${ranges}${counts})`;
    case 'analyze':
      return `ANALYZE (${counts})`;
    case 'copying':
      return `copiando: ${ranges}${counts}${inFlight}${left}`;
    default:
      return `${ranges}${counts}${left}`;
  }
}

export function renderStatus(status: RunStatus | null, follow: FollowStatus | null = null, now = Date.now()): string {
  if (status === null) return 'Ninguna ejecución de copiar-tablas ha escrito en esta base de destino.';
  const width = Math.max(...status.tables.map((t) => t.table.length));
  const followLine =
    follow === null
      ? []
      : [
          `Seguimiento de cambios: aplicado hasta ${follow.applied_lsn}, lo último hace ${formatDuration((now - Date.parse(follow.applied_at)) / 1000)}; el slot copiar_tablas retiene WAL en el origen hasta npx copiar-tablas cutover`,
        ];
  return [
    `Ejecución ${status.run_id}: ${STATE[status.state] ?? status.state}${status.pid !== null ? ` (proceso del servidor ${status.pid})` : ''}`,
    `Empezó ${status.started_at}${status.ended_at ? `, terminó ${status.ended_at}` : ''}; informe en ${status.report_dir}`,
    ...status.tables.map((t) => `  ${t.table.padEnd(width)}  ${tableLine(t)}`),
    ...followLine,
  ].join('\n');
}
