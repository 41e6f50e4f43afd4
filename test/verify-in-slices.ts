import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { addSliceDigests, DigestSum, rowHashingOf, tableDigests } from '../lib/ops/row-digests.js';
import { verify } from '../lib/ops/verify.js';
import { TABLES } from '../transforms/index.js';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

const mensajes = TABLES.find((spec) => spec.target === 'mensajes')!;

// verify never holds the expected rows whole: it digests them a slice at a time and adds
// the slices up, and to name the differing rows it runs the source again keeping only
// the differing buckets' rows of each slice. With slices of 64 kB (about 120 of them
// here) every sum and every kept row crosses slice boundaries.
t.test('verify in many small slices adds their digests up and still names each differing row', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const target = await freshDatabase(t);
  const run = await runCli(['--table', 'mensajes', '--report-dir', mkdtempSync(path.join(tmpdir(), 'slices-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(run.code, 0, run.stderr);
  let phases: string[] = [];
  const check = async (): Promise<Awaited<ReturnType<typeof verify>>[number]> => {
    phases = [];
    const onProgress = (p: { phase: string }): void => void (phases.at(-1) !== p.phase && phases.push(p.phase));
    const [result] = await verify({ source: { url: source }, target: { url: target }, specs: [mensajes], sliceBytes: 64 * 1024, onProgress, progressIntervalMs: 5 });
    return result!;
  };

  const clean = await check();
  t.match(clean, { ok: true, target_rows: clean.source_rows - clean.rejected_rows, missing_or_different: 0, unexpected: 0 });
  t.ok(clean.target_rows > 15_000, `${clean.target_rows} filas comparadas`);
  t.same(phases, ['copy', 'compare'], 'sin diferencias, una sola pasada por el origen');

  const ids = await withClient(target, async (c) => {
    const pick = async (sql: string): Promise<string> => (await c.query(sql)).rows[0].id as string;
    const json = await pick("SELECT id::text FROM mensajes WHERE metadata::text LIKE '%whatsapp%' ORDER BY id LIMIT 1");
    const first = await pick('SELECT id::text FROM mensajes ORDER BY id LIMIT 1');
    const last = await pick('SELECT id::text FROM mensajes ORDER BY id DESC LIMIT 1');
    // One byte of a JSON string value.
    await c.query("UPDATE mensajes SET metadata = replace(metadata::text, 'whatsapp', 'whatsapq')::jsonb WHERE id = $1", [json]);
    await c.query("UPDATE mensajes SET contenido = contenido || E'\\t' WHERE id = $1", [first]);
    await c.query('DELETE FROM mensajes WHERE id = $1', [last]);
    return { json, first, last };
  });
  const broken = await check();
  t.same(phases, ['copy', 'compare', 'differences'], 'con diferencias, una segunda pasada que informa su progreso');
  t.match(broken, { ok: false, target_rows: clean.target_rows - 1, missing_or_different: 3, unexpected: 2 });
  t.same([...broken.sample_missing_ids].sort(), [ids.json, ids.first, ids.last].sort(), 'los cambiados y el borrado faltan como estaban');
  t.same([...broken.sample_unexpected_ids].sort(), [ids.json, ids.first].sort(), 'los cambiados sobran como están');
});

// Without this, a wrong sum would only cost time: verify would compare every bucket row
// by row and still answer right.
t.test('the digests of a table are the sum of the digests of its slices', async (t) => {
  const target = await freshDatabase(t);
  await withClient(target, async (c) => {
    await c.query(`CREATE TABLE mensajes (${mensajes.columns.map((col) => `"${col.name}" ${col.type}`).join(', ')})`);
    await c.query(
      "INSERT INTO mensajes (id, conversacion_id, telefono, tipo_mensaje, contenido, metadata, creado_at) SELECT gen_random_uuid(), gen_random_uuid(), '+593' || (990000000 + i), 'texto', 'hola ' || i, jsonb_build_object('n', i), timestamp '2026-01-01' + i * interval '1 minute' FROM generate_series(1, 30000) i",
    );
    t.same(await rowHashingOf(c), { byType: true }, 'PostgreSQL 14 o posterior: hash por tipo');
    await c.query('CREATE TEMP TABLE tramo (LIKE mensajes)');
    // By type, and by the row's text as on servers before PostgreSQL 14.
    for (const hashing of [{ byType: true }, { byType: false }]) {
      const whole = await tableDigests(c, mensajes, 'mensajes', hashing);
      const sliced = new DigestSum();
      for (let i = 0; i < 30; i++) {
        await c.query('INSERT INTO tramo SELECT * FROM mensajes WHERE contenido = ANY (SELECT \'hola \' || n FROM generate_series($1::int, $1::int + 999) n)', [i * 1000 + 1]);
        await addSliceDigests(c, mensajes, 'tramo', hashing, sliced);
      }
      t.equal((await c.query('SELECT count(*)::int AS n FROM tramo')).rows[0].n, 0, 'cada tramo queda vacío');
      t.equal(sliced.rows, 30000);
      t.ok(whole.digests().size > 4000, `${whole.digests().size} cubetas`);
      t.same(sliced.digests(), whole.digests(), `por tipo: ${hashing.byType}`);
    }
  });
});
