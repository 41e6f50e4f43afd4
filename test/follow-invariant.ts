import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import type { FollowProgress } from '../lib/follow/follower.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, sameAsFreshRun } from './helpers/follow.js';
import { waitFor } from './helpers/generated.js';
import { writeRound } from '../dev/source-writes.js';


// The contract for changes: once the source is quiet and the slot drained, the target is
// exactly what a fresh full run on the source writes, row for row, in all nine tables.
t.test('writes of every kind during and after the bulk copy end in the rows a fresh run writes', async (t) => {
  const { server, source } = await followableSource(t, 2000, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');

  const stop = new AbortController();
  let duringCopy: Promise<void> | null = null;
  let applied = 0;
  const progress: FollowProgress[] = [];
  let firstApply: () => void = () => undefined;
  const followedOnce = new Promise<void>((resolve) => (firstApply = resolve));
  const following = migrateAndFollow({
    ...followOptions(source, target, stop.signal),
    progressIntervalMs: 100,
    onFollowProgress: (p) => progress.push(p),
    onEvent: (event) => {
      // The bulk copy has its snapshot and is about to read: the application goes on writing.
      if (event.type === 'run_start') duringCopy = withClient(source, (c) => writeRound(c, 1));
    },
    onApplied: () => {
      applied++;
      firstApply();
    },
  });
  await followedOnce;
  await duringCopy;
  await withClient(source, (c) => writeRound(c, 2));
  // A last write marks the end: once it is in the target, everything before it is.
  await withClient(source, (c) => c.query("INSERT INTO task_queue (id, task_type, status) VALUES ('00000000-0000-4000-8000-0000000000ff', 'reminder', 'pending')"));
  await waitFor('la marca aplicada', () => withClient(target, async (c) => (await c.query("SELECT 1 FROM tareas_programadas WHERE id = '00000000-0000-4000-8000-0000000000ff'")).rows.length > 0), 90_000, 100);
  // Alone in its batch: a customer whose service requests point at them changes phone
  // (clientes only updates a column, and solicitudes_servicio reads it).
  await withClient(source, (c) =>
    c.query(`UPDATE customers SET phone_number = '0994455667', updated_at = now() + interval '1 day'
              WHERE ctid = (SELECT c.ctid FROM customers c JOIN service_requests s ON s.phone_number = c.phone_number WHERE c.id IS NOT NULL ORDER BY c.id LIMIT 1)`),
  );
  await withClient(source, (c) => c.query("INSERT INTO task_queue (id, task_type, status) VALUES ('00000000-0000-4000-8000-0000000000fe', 'reminder', 'pending')"));
  await waitFor('la segunda marca aplicada', () => withClient(target, async (c) => (await c.query("SELECT 1 FROM tareas_programadas WHERE id = '00000000-0000-4000-8000-0000000000fe'")).rows.length > 0), 90_000, 100);
  stop.abort();
  const result = await following;
  t.ok(result.summary?.ok, 'la copia inicial terminó');
  t.ok(result.follow !== null && result.follow.changes > 0, `el seguimiento aplicó cambios (${result.follow?.changes} en ${applied} lotes)`);

  const last = progress.at(-1);
  t.ok(last !== undefined && /^[0-9A-F]+\/[0-9A-F]+$/.test(last.appliedLsn), `el avance dice la posición aplicada (${last?.appliedLsn})`);
  t.ok(progress.every((p) => p.retainedBytes > 0), 'y el WAL que retiene el slot en el origen');
  t.ok(progress.every((p) => p.lagBytes >= 0 && p.lagSeconds >= 0), 'y el retraso en bytes y segundos');

  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});

