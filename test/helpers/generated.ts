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

/**
 * Terminates the source backend of a range while the target has taken fewer than
 * `beforeRows` of it. The source's own progress says little: it runs ahead of the
 * target by whatever the socket buffers hold and can show a range as all sent while
 * most of it is still on the way; the target reads at the pace of the copy.
 */
export async function terminateSourceWhileTargetCopies(source: string, target: string, beforeRows = 2000): Promise<void> {
  await waitFor('terminar la COPY del origen mientras el destino la recibe', async () => {
    const receiving = await withClient(target, async (c) =>
      (
        await c.query(
          `SELECT 1 FROM pg_stat_activity a JOIN pg_stat_progress_copy p ON p.pid = a.pid
            WHERE a.datname = current_database() AND a.application_name = 'copiar-tablas' AND a.state = 'active' AND a.query LIKE 'COPY "mensajes"%FROM STDIN%' AND p.tuples_processed < $1`,
          [beforeRows],
        )
      ).rows.length > 0,
    );
    if (!receiving) return false;
    return withClient(source, async (c) =>
      (
        await c.query(
          "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'copiar-tablas' AND state = 'active' AND query LIKE 'COPY (SELECT%' LIMIT 1",
        )
      ).rows[0]?.done === true,
    );
  });
}
