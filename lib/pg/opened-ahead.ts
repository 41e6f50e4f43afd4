import type pg from 'pg';
import { closeQuietly } from './connection.js';

/**
 * A session opened ahead of its first use: `take` hands that one out first, new ones
 * after; `dispose` closes it if nobody took it (or hands it to `release`: it was never
 * used).
 */
export function openedAhead(
  open: () => Promise<pg.Client>,
  release: (client: pg.Client) => Promise<void> | void = closeQuietly,
): { take: () => Promise<pg.Client>; dispose: () => Promise<void> } {
  const ahead = open();
  // Its failure is met by whoever takes it; until then it must not count as unhandled.
  ahead.catch(() => undefined);
  let taken = false;
  return {
    take: () => {
      if (taken) return open();
      taken = true;
      return ahead;
    },
    dispose: async () => {
      if (taken) return;
      const client = await ahead.catch(() => undefined);
      if (client !== undefined) await release(client);
    },
  };
}
