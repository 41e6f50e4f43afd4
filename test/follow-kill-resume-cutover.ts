import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { TABLES } from '../transforms/index.js';
import { runCli, startCli } from './helpers/cli.js';
import { withClient } from './helpers/database.js';
import { followableSource } from './helpers/follow.js';
import { waitFor } from './helpers/generated.js';
import { targetRows, writeRound } from '../dev/source-writes.js';

const NAMES = TABLES.map((s) => s.target);


/** (motivo, id_origen) of every line of a folder's reject CSVs. */
function rejectKeys(dir: string): Set<string> {
  const keys = new Set<string>();
  const folder = path.join(dir, 'rejects');
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.csv'))) {
    for (const line of readFileSync(path.join(folder, file), 'utf8').split('\n').slice(1)) {
      const [motivo, , id] = line.split(',');
      if (motivo) keys.add(`${file}:${motivo}:${id}`);
    }
  }
  return keys;
}

// Exactly once across a crash: the follower killed with SIGKILL while it applies, the
// application writing on, `--follow --resume`, a clean stop, more writes, then `cutover`:
// the target is a fresh run's, row for row, and every row a fresh run rejects is in the
// reject files with its reason.
t.test('--follow killed mid-apply, resumed, stopped and cut over: the rows of a fresh run', async (t) => {
  const { server, source } = await followableSource(t, 1500, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const reportDir = mkdtempSync(path.join(tmpdir(), 'seguir-'));
  const urls = ['--source', source, '--target', target];
  const appliedLsn = (): Promise<string | null> =>
    withClient(target, async (c) => (await c.query("SELECT lsn::text AS lsn FROM copiar_tablas.seguimiento WHERE nombre = 'copiar_tablas'").catch(() => ({ rows: [] }))).rows[0]?.lsn ?? null);
  const slotActive = (): Promise<boolean> => withClient(source, async (c) => (await c.query('SELECT active FROM pg_replication_slots')).rows[0]?.active === true);

  const first = startCli(['--follow', ...urls, '--report-dir', reportDir]);
  await waitFor('la copia inicial y el seguimiento', async () => (await slotActive()) && (await withClient(target, async (c) => (await c.query("SELECT 1 FROM copiar_tablas.ejecuciones WHERE estado = 'completada'").catch(() => ({ rows: [] }))).rows.length > 0)), 90_000, 100);
  const startLsn = await appliedLsn();
  const writing = withClient(source, async (c) => {
    for (let round = 1; round <= 3; round++) await writeRound(c, round);
  });
  await waitFor('un lote aplicado', async () => (await appliedLsn()) !== startLsn, 90_000, 100);
  first.child.kill('SIGKILL');
  await first.done;
  await writing;
  await withClient(source, (c) => writeRound(c, 4));

  const second = startCli(['--follow', '--resume', ...urls]);
  await withClient(source, (c) => c.query("INSERT INTO task_queue (id, task_type, status) VALUES ('00000000-0000-4000-8000-0000000000ff', 'reminder', 'pending')"));
  await waitFor('la marca aplicada tras continuar', () => withClient(target, async (c) => (await c.query("SELECT 1 FROM tareas_programadas WHERE id = '00000000-0000-4000-8000-0000000000ff'")).rows.length > 0), 90_000, 100);
  const status = await runCli(['status', '--target', target]);
  t.match(status.stdout, /Seguimiento de cambios: aplicado hasta [0-9A-F]+\/[0-9A-F]+, lo último hace \d+ s/, 'status dice hasta dónde aplicó el seguimiento');
  second.child.kill('SIGTERM');
  const stopped = await second.done;
  t.equal(stopped.code, 0, `detenido con SIGTERM termina bien: ${stopped.stderr.slice(-400)}`);
  t.match(stopped.stderr, /Seguimiento detenido en [0-9A-F]+\/[0-9A-F]+/, 'dice dónde se detuvo');
  t.match(stopped.stderr, /npx copiar-tablas --follow --resume/, 'y cómo continuar');
  t.match(stopped.stderr, /npx copiar-tablas cutover/, 'y cómo terminar');

  await withClient(source, (c) => writeRound(c, 5));
  const cut = await runCli(['cutover', ...urls, '--json']);
  t.equal(cut.code, 0, cut.stderr);
  const done = JSON.parse(cut.stdout.trim().split('\n').pop()!);
  t.equal(done.event, 'cutover_done');
  t.ok(done.ok && done.changes > 0, `aplicó los cambios pendientes (${done.changes}) y cuadra`);
  const left = await withClient(source, async (c) => (await c.query('SELECT (SELECT count(*) FROM pg_replication_slots)::int + (SELECT count(*) FROM pg_publication)::int AS n')).rows[0].n);
  t.equal(left, 0, 'el corte borra el slot y la publicación del origen');

  const freshDir = mkdtempSync(path.join(tmpdir(), 'fresco-'));
  const fresh = await runCli(['--source', source, '--target', withDatabaseName(server.url, 'fresco'), '--report-dir', freshDir, '--quiet']);
  t.equal(fresh.code, 0, fresh.stderr);
  const followed = await withClient(target, (c) => targetRows(c, NAMES));
  const expected = await withClient(withDatabaseName(server.url, 'fresco'), (c) => targetRows(c, NAMES));
  for (const name of NAMES) t.same(followed[name], expected[name], `${name}: las mismas filas que una ejecución nueva (${expected[name]!.length})`);
  // The counts cutover reports are each table's own, on each side.
  for (const name of NAMES) t.equal(done.counts.find((c: { table: string }) => c.table === name)?.target_rows, followed[name]!.length, `${name}: la cuenta del destino que informa el corte`);
  const sourceCounts = await withClient(source, async (c) => (await c.query('SELECT (SELECT count(*) FROM messages)::int AS mensajes, (SELECT count(*) FROM sessions)::int AS sesiones')).rows[0]);
  for (const name of ['mensajes', 'sesiones']) t.equal(done.counts.find((c: { table: string }) => c.table === name)?.source_rows, sourceCounts[name], `${name}: la cuenta del origen que informa el corte`);
  const logged = rejectKeys(reportDir);
  const missing = [...rejectKeys(freshDir)].filter((key) => !logged.has(key));
  t.same(missing, [], 'cada fila que rechaza una ejecución nueva está en los rechazos del seguimiento, con su motivo');
});
