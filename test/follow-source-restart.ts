import t from 'tap';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { followableSource, followOptions, sameAsFreshRun } from './helpers/follow.js';
import { waitFor } from './helpers/generated.js';
import { writeRound } from '../dev/source-writes.js';


// The source server restarts while the follower applies: the stream breaks, the follower
// starts it again after the last applied position, and nothing is lost or applied twice.
t.test('the source server restarts while following: the follower reconnects and the target ends as a fresh run', async (t) => {
  const { server, source } = await followableSource(t, 1000);
  const target = await freshDatabase(t, 'seguir');
  const marker = (n: number): string => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;
  const markerApplied = (n: number) => () => withClient(target, async (c) => (await c.query('SELECT 1 FROM tareas_programadas WHERE id = $1', [marker(n)])).rows.length > 0);
  const writeMarker = (n: number) => withClient(source, (c) => c.query("INSERT INTO task_queue (id, task_type, status) VALUES ($1, 'reminder', 'pending')", [marker(n)]));

  const stop = new AbortController();
  const retries: string[] = [];
  const following = migrateAndFollow({
    ...followOptions(source, target, stop.signal),
    retries: 5,
    onFollowRetry: (_n, _ms, message) => retries.push(message),
  });
  following.catch(() => undefined);
  // The slot is in use from its creation (the session that keeps its snapshot): the bulk copy's end says more.
  await waitFor('la copia inicial terminada y el slot en uso', async () => {
    const done = await withClient(target, async (c) => (await c.query("SELECT 1 FROM copiar_tablas.ejecuciones WHERE estado = 'completada'").catch(() => ({ rows: [] }))).rows.length > 0);
    return done && withClient(source, async (c) => (await c.query('SELECT active FROM pg_replication_slots')).rows[0]?.active === true);
  }, 90_000, 100);
  await withClient(source, (c) => writeRound(c, 1));
  await writeMarker(1);
  await waitFor('la primera ronda aplicada', markerApplied(1), 90_000, 100);
  await server.restart();
  await withClient(source, (c) => writeRound(c, 2));
  await writeMarker(2);
  await waitFor('la ronda escrita tras el reinicio, aplicada', markerApplied(2), 90_000, 100);
  stop.abort();
  const result = await following;
  t.ok(retries.length > 0, `el seguimiento se reconectó (${retries.join(' / ')})`);
  t.ok(result.follow !== null && result.follow.changes > 0, 'y siguió aplicando');

  await sameAsFreshRun(t, source, target, await freshDatabase(t, 'fresco'));
});
