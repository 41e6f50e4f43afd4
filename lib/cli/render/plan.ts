import type { Plan, PlanTable } from '../../ops/plan.js';
import { SAME_DATABASE, formatNumber } from './format.js';

function targetState(t: PlanTable): string {
  if (!t.target_exists) return 'se creará';
  if (!t.target_has_rows) return 'existe, vacía';
  return t.target_foreign_rows ? 'existe, con filas que copiar-tablas no escribió' : 'existe, con filas de copiar-tablas';
}

export function renderPlan(p: Plan): string {
  const lines = [`Origen: ${p.source}`, `Destino: ${p.target}`, ...(p.same_database ? [SAME_DATABASE] : []), 'Orden de carga: ' + p.order.join(' → '), '', 'tabla                   origen                          filas estimadas      MB  destino'];
  for (const t of p.tables) {
    lines.push(
      `${t.table.padEnd(22)}  ${(t.source_filter ? `${t.source_table} (filtrada)` : t.source_table).padEnd(30)}  ${formatNumber(t.estimated_rows).padStart(15)}  ${(t.estimated_bytes / 1024 / 1024).toFixed(1).padStart(6)}  ${targetState(t)}`,
    );
  }
  lines.push('', p.will_create.length > 0 ? `Se creará: ${p.will_create.join(', ')}` : 'No se creará nada: todo existe.');
  for (const w of p.warnings) lines.push(`AVISO: ${w}`);
  for (const problem of p.problems) lines.push(`PROBLEMA: ${problem}`);
  lines.push(p.problems.length === 0 ? 'Listo para migrar.' : 'Corrija los problemas antes de migrar.');
  return lines.join('\n');
}
