import type { TableCheck } from '../../ops/verify.js';

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
