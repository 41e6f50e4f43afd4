import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { pgDumpVersion } from '../lib/ops/backup.js';
import { migrate } from '../lib/run/migrate.js';
import { requiredSourceColumns } from '../lib/table-spec/source-columns.js';
import { TABLES } from '../transforms/index.js';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase, tableText } from './helpers/fixture.js';

const report = () => mkdtempSync(path.join(tmpdir(), 'informe-'));

async function catalogState(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const { rows } = await c.query(
      "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY 1) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
    );
    return rows[0].s as string;
  });
}

t.test('plan writes nothing and shows order, estimates and what it will create', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query('ANALYZE'));
  const before = await catalogState(url);
  const r = await runCli(['plan'], { DATABASE_URL: url });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Orden de carga: profesiones → clientes → proveedores → proveedor_profesiones → servicios_proveedor → solicitudes_servicio → mensajes → sesiones → tareas_programadas/);
  t.match(r.stdout, /mensajes\s+messages\s+4\s/);
  t.match(r.stdout, /Se creará: profesiones, clientes, proveedores, .*esquema copiar_tablas/);
  t.equal(await catalogState(url), before, 'el catálogo no cambió');
});

t.test('plan --json warns about existing target data and reports problems with exit 2', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['profesiones'], reportDir: report() });
  // No ANALYZE: whether the table holds rows is read from the table, not from statistics.
  await withClient(url, (c) => c.query('DROP INDEX idx_profesiones_categoria'));
  const ok = await runCli(['plan', '--table', 'profesiones', '--json'], { DATABASE_URL: url });
  t.equal(ok.code, 0, ok.stderr);
  const p = JSON.parse(ok.stdout);
  t.same(p.order, ['profesiones']);
  t.match(p.warnings.join('\n'), /profesiones ya tiene filas: la migración las reemplaza/);
  t.match(p.tables[0], { table: 'profesiones', target_exists: true, target_has_rows: true, target_foreign_rows: false });
  t.match(p.warnings.join('\n'), /no tiene los índices idx_profesiones_categoria/);
  const empty = await freshDatabase(t);
  const bad = await runCli(['plan', '--json'], { SOURCE_DATABASE_URL: empty, TARGET_DATABASE_URL: url });
  t.equal(bad.code, 2);
  t.match(JSON.parse(bad.stdout).problems.join('\n'), /no existe la tabla messages/);
});

t.test('verify passes after a clean run and names the table when a target row changes or goes', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: report() });
  const clean = await runCli(['verify'], { DATABASE_URL: url });
  t.equal(clean.code, 0, clean.stdout + clean.stderr);
  t.match(clean.stdout, /OK\s+mensajes: origen 4 = destino 2 \+ rechazadas 2/);
  t.match(clean.stdout, /Todo cuadra/);

  await withClient(url, (c) => c.query("UPDATE mensajes SET contenido = 'cambiado' WHERE id = '00000000-0000-4000-8000-0000000000e1'"));
  await withClient(url, (c) => c.query("DELETE FROM sesiones WHERE id = '00000000-0000-4000-8000-0000000000d6'"));
  const broken = await runCli(['verify'], { DATABASE_URL: url });
  t.equal(broken.code, 1);
  t.match(broken.stdout, /FALLA mensajes/);
  t.match(broken.stdout, /faltan o difieren \(ids\): 00000000-0000-4000-8000-0000000000e1/);
  t.match(broken.stdout, /sobran \(ids\): 00000000-0000-4000-8000-0000000000e1/);
  t.match(broken.stdout, /FALLA sesiones: origen 6 = destino 1 \+ rechazadas 4/);
  t.match(broken.stdout, /Hay diferencias en: mensajes, sesiones\./);
  t.notMatch(broken.stdout, /FALLA clientes/);

  const json = await runCli(['verify', '--table', 'sesiones', '--json'], { DATABASE_URL: url });
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event !== 'verify_progress');
  t.match(events[0], { event: 'table_verified', table: 'sesiones', ok: false, missing_or_different: 1, sample_missing_ids: ['00000000-0000-4000-8000-0000000000d6'] });
  t.match(events[1], { event: 'verify_done', version: 1, ok: false });
});

t.test('rollback drops exactly the tables copiar-tablas created, and only with --yes', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  // A table the operator made before the migration is not the tool's to drop.
  await withClient(url, (c) => c.query(`CREATE TABLE sesiones (id UUID, telefono VARCHAR(20) NOT NULL, id_sesion VARCHAR(255) NOT NULL, estado VARCHAR(20), codigo_qr TEXT,
    datos_sesion JSONB, expira_at TIMESTAMP, ultima_actividad TIMESTAMP, creado_at TIMESTAMP)`));
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['profesiones', 'mensajes', 'sesiones'], reportDir: report() });
  // Rollback only needs the target.
  const dry = await runCli(['rollback'], { TARGET_DATABASE_URL: url });
  t.equal(dry.code, 2);
  t.match(dry.stdout, /Se borraría: mensajes, profesiones, esquema copiar_tablas\. Repita con --yes/);
  t.equal(await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM mensajes')).rows[0].n), 2, 'sin --yes no se borra nada');
  const done = await runCli(['rollback', '--yes'], { DATABASE_URL: url });
  t.equal(done.code, 0, done.stderr);
  const left = await withClient(url, async (c) =>
    (await c.query("SELECT to_regclass('mensajes') AS m, to_regclass('profesiones') AS p, to_regclass('sesiones')::text AS s, to_regclass('messages')::text AS legacy, (SELECT count(*)::int FROM pg_namespace WHERE nspname = 'copiar_tablas') AS state")).rows[0]);
  t.same(left, { m: null, p: null, s: 'sesiones', legacy: 'messages', state: 0 });
});

t.test('backup names what to install when pg_dump is missing', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const missing = await runCli(['backup', '--out', mkdtempSync(path.join(tmpdir(), 'respaldo-'))], { DATABASE_URL: url, PATH: '/nonexistent' });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /No se encontró pg_dump: instale el cliente de PostgreSQL/);
});

// pg_dump refuses a server of a newer major version: which outcome is right depends on
// the two versions, and each is checked for what it must do.
const pgDump = pgDumpVersion();
t.test('backup dumps every table the migration reads, and the dump restores; or says which pg_dump to install', { skip: pgDump === null ? 'pg_dump no está instalado (paquete postgresql-client)' : false }, async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const out = mkdtempSync(path.join(tmpdir(), 'respaldo-'));
  const dumpMajor = Number(/(\d+)(?:\.\d+)?/.exec(pgDump!)![1]);
  const serverMajor = Math.floor((await withClient(url, async (c) => Number((await c.query('SHOW server_version_num')).rows[0].server_version_num))) / 10000);
  const r = await runCli(['backup', '--out', out], { DATABASE_URL: url });
  if (dumpMajor < serverMajor) {
    t.equal(r.code, 1, `pg_dump ${dumpMajor} contra un servidor ${serverMajor}`);
    t.match(r.stderr, /pg_dump falló: .*server version mismatch.* Instale un pg_dump de la misma versión mayor que el servidor de origen/);
    return;
  }
  t.equal(r.code, 0, r.stderr);
  const file = /Copia de seguridad: (.*backup_tablas_criticas_\d{8}_\d{6}\.dump)/.exec(r.stdout)?.[1];
  t.ok(file !== undefined && existsSync(file), r.stdout);
  const restored = await freshDatabase(t);
  const restore = spawnSync('pg_restore', ['--no-owner', `--dbname=${restored}`, file!], { encoding: 'utf8' });
  t.equal(restore.status, 0, restore.stderr);
  for (const table of requiredSourceColumns(TABLES).keys()) t.equal(await tableText(restored, table), await tableText(url, table), `${table} restaurada igual`);
});
