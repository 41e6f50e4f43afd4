import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { stopAfterFirstRange } from './helpers/interrupt.js';

const report = (): string[] => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'plazo-'))];

async function storedRangeRows(target: string): Promise<number> {
  return withClient(target, async (c) => Number((await c.query('SELECT tramo_filas FROM copiar_tablas.ejecuciones ORDER BY id DESC LIMIT 1')).rows[0].tramo_filas));
}

// A window that closes must not waste the night: with a time limit, a big table goes in
// ranges small enough that a stop keeps all but the range in flight. Without one it is
// not cut (one frozen transaction: 20M mensajes 189 s against 278 s in ranges of 4M).
t.test('with --max-duration or --until, tables load in ranges of 500.000 rows unless --range-rows says otherwise; without them, whole', async (t) => {
  const source = await generatedLegacyDatabase(t, 200);
  const env = (target: string) => ({ SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  for (const [args, expected] of [
    [[], Number.MAX_SAFE_INTEGER],
    [['--max-duration', '2h'], 500_000],
    [['--until', '23:59'], 500_000],
    [['--max-duration', '2h', '--range-rows', '1000'], 1_000],
  ] as const) {
    const target = await freshDatabase(t);
    const r = await runCli(['--table', 'profesiones', ...args, ...report()], env(target));
    t.equal(r.code, 0, r.stderr);
    t.equal(await storedRangeRows(target), expected, `${args.join(' ') || 'sin límite'}: tramos de ${expected}`);
  }
});

t.test('a stop says what each table keeps, and summary.json counts the committed ranges', async (t) => {
  const source = await generatedLegacyDatabase(t, 12_000);
  const target = await freshDatabase(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'conserva-'));
  const stopped = await stopAfterFirstRange({ source, target }, ['--table', 'mensajes', '--range-rows', '2000', '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(stopped.code, 1, stopped.stderr);
  const committed = await withClient(target, async (c) => (await c.query("SELECT count(*)::int AS ranges, sum(escritas)::int AS written FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0]);
  t.ok(committed.written > 0, 'un tramo confirmado');
  const formatted = committed.written.toLocaleString('es-EC');
  t.match(stopped.stderr, new RegExp(`se conserva: ninguna tabla terminada; mensajes: ${committed.ranges} de \\d+ tramos \\(${formatted.replace('.', '\\.')} filas escritas\\)`));
  t.equal(stopped.stderr.match(/detenido por la señal SIGTERM/g)?.length, 1, 'el motivo, una sola vez');
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')).tables.mensajes;
  t.match(summary, { status: 'stopped', written: committed.written, ranges_done: committed.ranges });
  t.ok(summary.ranges > committed.ranges, 'quedan tramos por copiar');
});
