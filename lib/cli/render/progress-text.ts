import type { TableProgress } from '../../load/progress.js';
import { MB, formatNumber } from './format.js';

/** Time left as a person reads it: 40 s, 12 min, 2 h 05 min. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** When a table started and the catalog's estimate of its rows. */
export interface TableStart {
  at: number;
  estimatedRows: number;
}

/** One table's line: the range and rows of the copy, then the step after it. */
export function describeTableProgress(progress: TableProgress, start: TableStart | undefined, now: number): string {
  if (progress.phase === 'indexes') {
    const step = progress.step ?? { done: 0, total: 0 };
    return `claves e índices ${step.done + 1}/${step.total} (copia terminada: ${formatNumber(progress.written)} escritas, ${formatNumber(progress.rejected)} rechazadas)`;
  }
  if (progress.phase === 'analyze') return `ANALYZE (${formatNumber(progress.written)} escritas, ${formatNumber(progress.rejected)} rechazadas)`;
  const seconds = start ? (now - start.at) / 1000 : 0;
  const rate = seconds > 0 ? progress.read / seconds : 0;
  const estimate = start?.estimatedRows ?? 0;
  const parts: string[] = [];
  // A large table copied whole is one range: "tramo 1/1" would only be noise.
  if (progress.ranges && progress.ranges.total > 1) parts.push(`tramo ${Math.min(progress.ranges.done + 1, progress.ranges.total)}/${progress.ranges.total}`);
  parts.push(estimate > 0 ? `${formatNumber(progress.read)}/${formatNumber(estimate)} filas (${Math.min(100, Math.round((100 * progress.read) / estimate))} %)` : `${formatNumber(progress.read)} filas`);
  parts.push(`${(progress.bytes / MB).toFixed(1)} MB`, `${formatNumber(Math.round(rate))} filas/s`);
  if (estimate > progress.read && rate > 0) parts.push(`quedan ~${formatDuration((estimate - progress.read) / rate)}`);
  parts.push(`${formatNumber(progress.rejected)} rechazadas`);
  return parts.join(', ');
}

/** A line cut to the terminal's width, so that redrawing never leaves wrapped fragments behind. */
export function fitToWidth(line: string, columns: number): string {
  const room = Math.max(20, columns - 1);
  return line.length <= room ? line : `${line.slice(0, room - 1)}…`;
}

/**
 * Off a terminal, a log gets each table's progress every few seconds, not every step:
 * a line is due when the table has none yet, when `gapMs` passed since its last one, or
 * when it entered another phase (for callers that say which).
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; phase: string | undefined }>();

  constructor(private readonly gapMs: number) {}

  due(key: string, now: number, phase?: string): boolean {
    const last = this.last.get(key);
    if (last !== undefined && now - last.at < this.gapMs && (phase === undefined || last.phase === phase)) return false;
    this.last.set(key, { at: now, phase });
    return true;
  }
}
