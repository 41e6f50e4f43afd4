import type { RunEvent } from '../../lib/run/events.js';

/** The table an event is about (table_done carries it in its result). */
export function tableOf(e: RunEvent): string | undefined {
  if ('table' in e) return e.table;
  if (e.type === 'table_done') return e.result.table;
  return undefined;
}

/** Where the first event of `type` for `table` came in a run's events, -1 if none did. */
export function eventIndex(events: readonly RunEvent[], type: RunEvent['type'], table: string): number {
  return events.findIndex((e) => e.type === type && tableOf(e) === table);
}
