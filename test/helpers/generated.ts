import { generateLegacy } from '../../dev/generate-legacy.js';
import { freshDatabase, withClient } from './database.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh database with a generated dirty legacy dataset of `messages` rows, analyzed. */
export async function generatedLegacyDatabase(t: Teardown, messages: number): Promise<string> {
  const url = await freshDatabase(t, 'gen');
  await generateLegacy(url, { messages });
  await withClient(url, (c) => c.query('ANALYZE'));
  return url;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ocurrió a tiempo: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Terminates the first backend of copiar-tablas whose COPY matches while it has moved
 * fewer than `beforeRows` rows: a COPY caught at its very end has nothing left to lose,
 * and the run would rightly see no failure.
 */
export async function terminateWhileCopying(url: string, queryPattern: string, beforeRows = 1000): Promise<void> {
  await waitFor(`terminar el backend que ejecuta ${queryPattern}`, () =>
    withClient(url, async (c) => {
      const { rows } = await c.query(
        // This database only: pg_stat_activity shows the whole server, where other test
        // files run their own copies at the same time.
        `SELECT pg_terminate_backend(a.pid) AS done
           FROM pg_stat_activity a JOIN pg_stat_progress_copy p ON p.pid = a.pid
          WHERE a.datname = current_database() AND a.application_name = 'copiar-tablas' AND a.state = 'active' AND a.query LIKE $1 AND p.tuples_processed < $2
          LIMIT 1`,
        [queryPattern, beforeRows],
      );
      return rows[0]?.done === true;
    }),
  );
}

/** Waits until a copiar-tablas session of this database waits for a lock (the test holds one). */
export async function waitUntilRunWaitsForLock(url: string): Promise<void> {
  await waitFor('la copia espera un bloqueo', () =>
    withClient(url, async (c) => (await c.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'copiar-tablas' AND wait_event_type = 'Lock'")).rows.length > 0),
  );
}
