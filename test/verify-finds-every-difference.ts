import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

/** The mensajes check of `verify --json`. */
async function verifyMensajes(env: Record<string, string>): Promise<{ code: number | null; check: Record<string, unknown> }> {
  const r = await runCli(['verify', '--table', 'mensajes', '--json'], env);
  const check = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'table_verified');
  return { code: r.code, check };
}

// verify compares digests per bucket of ids (4,096 of them) and goes row by row only where
// they differ: at a million rows each bucket holds some 240 rows, and one byte in one of
// them must still be found, with each missing and extra row, in a table loaded whole (one
// transaction); and in a table loaded in ranges, where each change sits in one range (a
// smaller table: the ranges are the point there, and the suite's time is shared).
t.test('verify finds one byte changed in a JSON value, a timestamp and a text with a tab, a row gone and a row added, in a million-row table loaded whole', (t) => everyDifferenceFound(t, 1_000_000, []));
t.test('verify finds one byte changed in a JSON value, a timestamp and a text with a tab, a row gone and a row added, in a table loaded in ranges', (t) => everyDifferenceFound(t, 20_000, ['--range-rows', '5000']));

async function everyDifferenceFound(t: Test, messages: number, loadFlags: string[]): Promise<void> {
  const source = await generatedLegacyDatabase(t, messages);
  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  const reportDir = mkdtempSync(path.join(tmpdir(), 'digest-'));
  const run = await runCli(['--table', 'mensajes', ...loadFlags, '--report-dir', reportDir], env);
  t.equal(run.code, 0, run.stderr);
  const ranges = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8')).tables.mensajes.ranges as number;
  if (loadFlags.length === 0) t.equal(ranges, 1, 'cargada entera');
  else t.ok(ranges > 1, `cargada en ${ranges} tramos`);
  // A text with a tab in it, the same on both sides.
  const tabbed = await withClient(target, async (c) => (await c.query("SELECT id::text FROM mensajes ORDER BY id LIMIT 1")).rows[0].id as string);
  await withClient(source, (c) => c.query("UPDATE messages SET content = E'dos\\tcolumnas' WHERE id = $1", [tabbed]));
  await withClient(target, (c) => c.query("UPDATE mensajes SET contenido = E'dos\\tcolumnas' WHERE id = $1", [tabbed]));
  const clean = await verifyMensajes(env);
  t.equal(clean.code, 0, JSON.stringify(clean.check));
  t.match(clean.check, { ok: true, missing_or_different: 0, unexpected: 0 });

  const ids = await withClient(target, async (c) => {
    const pick = async (sql: string): Promise<string> => (await c.query(sql)).rows[0].id as string;
    const tab = await pick("SELECT id::text FROM mensajes WHERE contenido = E'dos\\tcolumnas'");
    const json = await pick("SELECT id::text FROM mensajes WHERE metadata <> '{}' AND id::text > '8' ORDER BY id LIMIT 1");
    const time = await pick("SELECT id::text FROM mensajes WHERE id::text > 'c' ORDER BY id LIMIT 1");
    const gone = await pick("SELECT id::text FROM mensajes WHERE id::text > '4' ORDER BY id LIMIT 1");
    await c.query("UPDATE mensajes SET contenido = E'dos\\tcolumnaz' WHERE id = $1", [tab]);
    await c.query("UPDATE mensajes SET metadata = metadata || '{\"z\": 1}' WHERE id = $1", [json]);
    await c.query("UPDATE mensajes SET creado_at = creado_at + interval '1 microsecond' WHERE id = $1", [time]);
    await c.query('DELETE FROM mensajes WHERE id = $1', [gone]);
    const added = '00000000-0000-4000-8000-0000000000ad';
    await c.query('INSERT INTO mensajes SELECT $2::uuid, conversacion_id, telefono, tipo_mensaje, contenido, url_media, tipo_media, respuesta_ia, estado_procesamiento, metadata, creado_at FROM mensajes WHERE id = $1', [time, added]);
    return { tab, json, time, gone, added };
  });
  const broken = await verifyMensajes(env);
  t.equal(broken.code, 1);
  t.match(broken.check, { ok: false, missing_or_different: 4, unexpected: 4 });
  t.same([...(broken.check.sample_missing_ids as string[])].sort(), [ids.tab, ids.json, ids.time, ids.gone].sort(), 'los cambiados y el borrado faltan como estaban');
  t.same([...(broken.check.sample_unexpected_ids as string[])].sort(), [ids.tab, ids.json, ids.time, ids.added].sort(), 'los cambiados y el añadido sobran como están');
}
