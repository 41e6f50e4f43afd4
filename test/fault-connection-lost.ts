import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { runCli, startCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { tableText } from './helpers/fixture.js';
import { generatedLegacyDatabase, terminateSourceWhileTargetCopies, terminateWhileCopying } from './helpers/generated.js';

// Ranges long enough (about half a second each) to be caught in the middle.
const RANGES = ['--range-rows', '20000'];

async function cleanReference(t: Test, source: string): Promise<string> {
  const clean = await freshDatabase(t);
  const r = await runCli(['--table', 'mensajes', ...RANGES, '--report-dir', mkdtempSync(path.join(tmpdir(), 'limpio-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: clean });
  t.equal(r.code, 0, r.stderr);
  return tableText(clean, 'mensajes');
}

for (const side of ['destino', 'origen'] as const) {
  t.test(`the ${side} backend terminated mid-copy: retried, and the result equals a clean run`, async (t) => {
    const source = await generatedLegacyDatabase(t, 40_000);
    const expected = await cleanReference(t, source);
    const target = await freshDatabase(t);
    const run = startCli(['--table', 'mensajes', ...RANGES, '--report-dir', mkdtempSync(path.join(tmpdir(), 'fallo-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
    // Caught within the first half of a range: the target, taking binary, gets through a
    // tenth of one in about 50 ms, less than a probe takes on a loaded machine; at half,
    // megabytes of the range are still to come from the source, far more than the sockets hold.
    if (side === 'destino') await terminateWhileCopying(target, 'COPY "mensajes"%FROM STDIN%', 10_000);
    else await terminateSourceWhileTargetCopies(source, target, 10_000);
    const r = await run.done;
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /mensajes: fallo pasajero \(.*\); reintento 1 en 1 s/);
    t.equal(await tableText(target, 'mensajes'), expected, 'mismas filas que la ejecución limpia');
    const counts = await withClient(target, async (c) => (await c.query("SELECT sum(leidas)::int AS r, sum(escritas + rechazadas)::int AS w FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0]);
    t.equal(counts.r, counts.w, 'read = written + rejected, sin tramos duplicados');
  });
}

t.test('a second run against the same target while one is active exits 2', async (t) => {
  const source = await generatedLegacyDatabase(t, 2_000);
  const target = await freshDatabase(t);
  await withClient(target, async (c) => {
    await c.query('SELECT pg_advisory_lock($1)', [0x636f7069]);
    const r = await runCli(['--table', 'mensajes', '--report-dir', mkdtempSync(path.join(tmpdir(), 'lock-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
    t.equal(r.code, 2);
    t.match(r.stderr, /Ya hay otra ejecución de copiar-tablas contra esta base de destino/);
    const tables = (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'mensajes'")).rows[0].n;
    t.equal(tables, 0, 'no escribió nada');
  });
});
