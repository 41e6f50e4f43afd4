// A target table another session holds a lock on: the load must not queue behind it for
// ever (its queued request blocks every application query on the table), must say who
// holds it, must stop when asked, and must finish once the lock is released.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { runCli, startCli } from './helpers/cli.js';
import { withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';
import { waitFor } from './helpers/generated.js';
import { holdReadLock } from './helpers/locks.js';

const report = () => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'bloqueo-'))];

/** A migrated mensajes, a session holding it, and a run started behind it, once the run has said so. */
async function runBehindLock(t: Test) {
  const url = await dirtyLegacyDatabase(t);
  t.equal((await runCli(['--table', 'mensajes', ...report()], { DATABASE_URL: url })).code, 0);
  const holder = await holdReadLock(url);
  t.teardown(() => holder.release().catch(() => undefined));
  const run = startCli(['--table', 'mensajes', ...report()], { DATABASE_URL: url });
  let stderr = '';
  run.child.stderr!.on('data', (d) => (stderr += d));
  await waitFor('el aviso del bloqueo', async () => stderr.includes(`la sesión ${holder.pid} (aplicacion-de-prueba, idle in transaction`), 20_000, 100);
  return { url, holder, run };
}

t.test('a load waits for a lock without blocking the application, names who holds it, and goes on once it is free', async (t) => {
  const { url, holder, run } = await runBehindLock(t);
  // Meanwhile the application still reads the table: the load's request does not stay queued.
  const counted = await withClient(url, async (c) => {
    await c.query("SET statement_timeout = '8s'");
    return (await c.query('SELECT count(*)::int AS n FROM mensajes')).rows[0].n as number;
  });
  t.equal(counted, 2, 'la aplicación lee mensajes mientras la carga espera');
  await holder.release();
  const r = await run.done;
  t.equal(r.code, 0, r.stderr);
});

t.test('a stop while waiting for a lock ends the run at once', async (t) => {
  const { run } = await runBehindLock(t);
  const stoppedAt = Date.now();
  run.child.kill('SIGTERM');
  const r = await run.done;
  t.equal(r.code, 1);
  t.match(r.stderr, /detenido por la señal SIGTERM/);
  t.ok(Date.now() - stoppedAt < 8_000, `se detuvo en ${Date.now() - stoppedAt} ms, sin esperar a que se suelte el bloqueo`);
});
