import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';
import { runCli } from './helpers/cli.js';
import { stopAfterFirstRange } from './helpers/interrupt.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { tableText } from './helpers/fixture.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { holdReadLock } from './helpers/locks.js';

const RANGES = ['--range-rows', '2000'];

// SIGTERM while a chunk is in flight: the run stops at the chunk boundary, says how to
// resume, and --resume ends with exactly what an uninterrupted run gives.
t.test('SIGTERM mid-copy, then --resume, equals a clean run', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const clean = await freshDatabase(t);
  const cleanDir = mkdtempSync(path.join(tmpdir(), 'limpio-'));
  const reference = await runCli(['--table', 'mensajes', ...RANGES, '--report-dir', cleanDir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: clean });
  t.equal(reference.code, 0, reference.stderr);

  const target = await freshDatabase(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'interrumpido-'));
  const stoppedAt = Date.now();
  const interrupted = await stopAfterFirstRange({ source, target }, ['--table', 'mensajes', ...RANGES, '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.ok(Date.now() - stoppedAt < 20_000, 'se detiene en segundos');
  t.equal(interrupted.code, 1);
  t.match(interrupted.stderr, /detenido por la señal SIGTERM.*continúe con: npx copiar-tablas --resume/);
  const partial = await withClient(target, async (c) => (await c.query("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0].n);
  t.equal(partial, 1, 'el primer tramo quedó guardado');

  const resumed = await runCli(['--resume'], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(resumed.code, 0, resumed.stderr);
  t.equal(await tableText(target, 'mensajes'), await tableText(clean, 'mensajes'), 'mismas filas que la ejecución limpia');
  t.equal(readFileSync(path.join(dir, 'rejects', 'mensajes.csv'), 'utf8'), readFileSync(path.join(cleanDir, 'rejects', 'mensajes.csv'), 'utf8'), 'mismo archivo de rechazos');
  const a = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')).tables.mensajes;
  const b = JSON.parse(readFileSync(path.join(cleanDir, 'summary.json'), 'utf8')).tables.mensajes;
  t.same([a.read, a.written, a.rejected, a.adjusted], [b.read, b.written, b.rejected, b.adjusted]);
  t.equal(a.read, a.written + a.rejected);
  t.equal(a.ranges_resumed, 1);
  t.ok(a.ranges > 2, `${a.ranges} tramos`);
  const again = await runCli(['--resume'], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(again.code, 2, 'nada que continuar');
  t.match(again.stderr, /No hay ninguna ejecución sin terminar/);
});

t.test('--max-duration stops the same way', async (t) => {
  const source = await generatedLegacyDatabase(t, 5_000);
  const target = await freshDatabase(t);
  // The empty table made ahead and held by an application transaction: the run is still
  // waiting for it when its time is up.
  await withClient(target, (c) => c.query(createTableSql(mensajes)));
  const holder = await holdReadLock(target);
  t.teardown(holder.release);
  const r = await runCli(['--table', 'mensajes', ...RANGES, '--max-duration', '2s', '--report-dir', mkdtempSync(path.join(tmpdir(), 'dur-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(r.code, 1);
  t.match(r.stderr, /detenido al llegar al límite \(--max-duration 2s\).*--resume/);
  await holder.release();
  const done = await runCli(['--resume'], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(done.code, 0, done.stderr);
});

t.test('bad --max-duration and --until values are usage errors', async (t) => {
  const a = await runCli(['--max-duration', 'dos horas'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
  t.equal(a.code, 2);
  t.match(a.stderr, /--max-duration no se entiende: se recibió "dos horas"/);
  const b = await runCli(['--until', '25:00'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
  t.equal(b.code, 2);
  t.match(b.stderr, /--until espera una hora HH:MM, se recibió "25:00"/);
});
