import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { generateLegacy } from '../dev/generate-legacy.js';

import { THROWAWAY_FLAGS, startEmbedded, withDatabaseName } from '../dev/embedded.js';
import { runCli, startCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { tableText } from './helpers/fixture.js';
import { waitFor } from './helpers/generated.js';

const RANGES = ['--range-rows', '2000'];

// The server holding source and target restarts mid-run: the snapshot is gone, so the
// run stops with a clear sentence and --resume finishes the job exactly.
t.test('the server restarts mid-run: exit 1 with how to resume, then --resume equals a clean run', async (t) => {
  const server = await startEmbedded({ flags: THROWAWAY_FLAGS });
  t.teardown(() => server.stop());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE origen');
  await admin.query('CREATE DATABASE destino');
  await admin.end();
  const source = withDatabaseName(server.url, 'origen');
  const target = withDatabaseName(server.url, 'destino');
  await generateLegacy(source, { messages: 40_000 });
  await withClient(source, (c) => c.query('ANALYZE'));

  const clean = await freshDatabase(t);
  const reference = await runCli(['--table', 'mensajes', ...RANGES, '--report-dir', mkdtempSync(path.join(tmpdir(), 'limpio-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: clean });
  t.equal(reference.code, 0, reference.stderr);

  const dir = mkdtempSync(path.join(tmpdir(), 'reinicio-'));
  const run = startCli(['--table', 'mensajes', ...RANGES, '--retries', '1', '--json', '--debug', '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  await waitFor('dos tramos guardados', () =>
    withClient(target, async (c) => {
      const { rows } = await c.query("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes'").catch(() => ({ rows: [{ n: 0 }] }));
      return rows[0].n >= 2;
    }),
  );
  await server.restart();
  // A run that hangs after the restart is a failure with its output, not a suite timeout.
  const hung = setTimeout(() => run.child.kill('SIGKILL'), 90_000);
  const r = await run.done;
  clearTimeout(hung);
  t.equal(r.code, 1, r.stderr + r.stdout.split('\n').filter((l) => !l.includes('table_progress')).join('\n'));
  t.match(r.stdout, /continúe con: npx copiar-tablas --resume/);
  t.notMatch(r.stderr, /\n\s+at /, 'sin traza de pila');

  const resumed = await runCli(['--resume'], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(resumed.code, 0, resumed.stderr);
  t.equal(await tableText(target, 'mensajes'), await tableText(clean, 'mensajes'), 'mismas filas que la ejecución limpia');
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')).tables.mensajes;
  t.equal(summary.read, summary.written + summary.rejected);
  t.ok(summary.ranges_resumed >= 2, `${summary.ranges_resumed} tramos conservados`);
});
