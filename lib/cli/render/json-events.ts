import type { RunEvent } from '../../run/events.js';

export function jsonEvent(event: RunEvent): Record<string, unknown> {
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
