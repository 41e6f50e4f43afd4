import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { stopAfterFirstRange } from './helpers/interrupt.js';

const RANGES = ['--range-rows', '2000'];

/** The folder a run without --report-dir writes to, under its working folder. */
function defaultReport(cwd: string): string {
  const [stamp] = readdirSync(path.join(cwd, 'copiar-tablas-informes'));
  return path.join(cwd, 'copiar-tablas-informes', stamp!);
}

// Cron, systemd or a new shell resume from another working folder than the run's.
t.test('a run started in one folder and resumed from another finishes, with the same reject file', async (t) => {
  const source = await generatedLegacyDatabase(t, 12_000);
  const env = { SOURCE_DATABASE_URL: source };
  const clean = await freshDatabase(t);
  const cleanDir = mkdtempSync(path.join(tmpdir(), 'limpio-'));
  t.equal((await runCli(['--table', 'mensajes', ...RANGES, '--report-dir', cleanDir], { ...env, TARGET_DATABASE_URL: clean })).code, 0);

  const target = await freshDatabase(t);
  const first = mkdtempSync(path.join(tmpdir(), 'carpeta-a-'));
  const other = mkdtempSync(path.join(tmpdir(), 'carpeta-b-'));
  t.teardown(() => [first, other].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const stopped = await stopAfterFirstRange({ source, target }, ['--table', 'mensajes', ...RANGES], { ...env, TARGET_DATABASE_URL: target }, { cwd: first });
  t.equal(stopped.code, 1, stopped.stderr);

  const resumed = await runCli(['--resume'], { ...env, TARGET_DATABASE_URL: target }, { cwd: other });
  t.equal(resumed.code, 0, resumed.stderr);
  const report = defaultReport(first);
  t.equal(readFileSync(path.join(report, 'rejects', 'mensajes.csv'), 'utf8'), readFileSync(path.join(cleanDir, 'rejects', 'mensajes.csv'), 'utf8'), 'el informe sigue en la carpeta de la ejecución');
  t.same(readdirSync(other), [], 'nada escrito en la carpeta desde la que se continuó');
});

t.test('--resume without the spools of the committed ranges is refused before copying, naming the folder', async (t) => {
  const source = await generatedLegacyDatabase(t, 12_000);
  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  const report = mkdtempSync(path.join(tmpdir(), 'informe-'));
  const stopped = await stopAfterFirstRange({ source, target }, ['--table', 'mensajes', ...RANGES, '--report-dir', report], env);
  t.equal(stopped.code, 1, stopped.stderr);
  rmSync(path.join(report, 'rejects', '.tramos'), { recursive: true });
  const ranges = async (): Promise<number> => withClient(target, async (c) => (await c.query("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0].n);
  const before = await ranges();

  const refused = await runCli(['--resume'], env);
  t.equal(refused.code, 2, refused.stderr);
  t.match(refused.stderr, new RegExp(`en ${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} faltan los rechazos de tramos ya copiados \\(mensajes: 1 de 1 tramos\\)`));
  t.equal(await ranges(), before, 'no copió nada más');
});
