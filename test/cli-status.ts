import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { runCli, startCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase, waitFor, waitUntilRunWaitsForLock } from './helpers/generated.js';

// From another shell, while the run works, after it stopped, and after its process died.
t.test('status reads the last run from the target: tables done, ranges, rows, and whether its process is alive', async (t) => {
  const source = await generatedLegacyDatabase(t, 12_000);
  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  const nothing = await runCli(['status'], { TARGET_DATABASE_URL: target });
  t.equal(nothing.code, 0, nothing.stderr);
  t.match(nothing.stdout, /Ninguna ejecución de copiar-tablas ha escrito en esta base de destino/);

  t.equal((await runCli(['--table', 'profesiones', '--report-dir', mkdtempSync(path.join(tmpdir(), 'prev-'))], env)).code, 0);
  // The checkpoint table held: the run waits to commit the first range of mensajes.
  const blocker = new pg.Client({ connectionString: target });
  await blocker.connect();
  t.teardown(() => blocker.end().catch(() => undefined));
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE copiar_tablas.tramos IN EXCLUSIVE MODE');
  const run = startCli(['--range-rows', '2000', '--report-dir', mkdtempSync(path.join(tmpdir(), 'estado-'))], env);
  await waitUntilRunWaitsForLock(target);
  const during = await runCli(['status'], { TARGET_DATABASE_URL: target });
  t.equal(during.code, 0, during.stderr);
  t.match(during.stdout, /^Ejecución \d+: en curso \(proceso del servidor \d+\)$/m);
  t.match(during.stdout, /^ {2}clientes +terminada: [\d.]+ escritas, [\d.]+ rechazadas$/m);
  t.match(during.stdout, /^ {2}mensajes +(copiando: )?tramos 0\/\d+, 0 escritas, 0 rechazadas/m);
  t.match(during.stdout, /^ {2}tareas_programadas +pendiente$/m);
  const json = JSON.parse((await runCli(['status', '--json'], { TARGET_DATABASE_URL: target })).stdout);
  t.match(json, { event: 'status', version: 1, run: { state: 'en_curso', tables: [{ table: 'profesiones', phase: 'done' }] } });

  run.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  await blocker.query('COMMIT');
  t.equal((await run.done).code, 1);
  const after = await runCli(['status'], { TARGET_DATABASE_URL: target });
  t.match(after.stdout, /^Ejecución \d+: detenida \(continúe con: npx copiar-tablas --resume\)$/m);
  t.match(after.stdout, /^ {2}mensajes +tramos 1\/\d+, [\d.]+ escritas/m, 'el tramo confirmado');

  // A run whose process was killed: its state says en_curso, but nobody holds its lock.
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE copiar_tablas.tramos IN EXCLUSIVE MODE');
  const killed = startCli(['--resume'], env);
  await waitUntilRunWaitsForLock(target);
  killed.child.kill('SIGKILL');
  await killed.done;
  await blocker.query('COMMIT');
  await waitFor('el servidor suelta la sesión del proceso muerto', async () => !/en curso/.test((await runCli(['status'], { TARGET_DATABASE_URL: target })).stdout));
  const dead = await runCli(['status'], { TARGET_DATABASE_URL: target });
  t.match(dead.stdout, /^Ejecución \d+: interrumpida: su proceso ya no está/m);
});
