// COPY fires a target table's row triggers once per row: on a hosted database that may be
// a webhook or a notification per migrated message. A run with such triggers refuses
// until the operator chooses; `skip` disables them only inside the load's transactions,
// `fire` lets them run.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';
import { runCli } from './helpers/cli.js';
import { withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

const report = (): string => mkdtempSync(path.join(tmpdir(), 'disparadores-'));

// Two firing triggers (one ENABLE ALWAYS), one disabled and one for replicas only: those
// two never fire for the tool's rows, and each must keep its mode.
const TRIGGERS_SQL = `
  ${createTableSql(mensajes)};
  CREATE TABLE disparos (disparador TEXT, mensaje UUID);
  CREATE FUNCTION anota() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO disparos VALUES (TG_NAME, NEW.id); RETURN NEW; END $$;
  CREATE TRIGGER avisa AFTER INSERT ON mensajes FOR EACH ROW EXECUTE FUNCTION anota();
  CREATE TRIGGER siempre AFTER INSERT ON mensajes FOR EACH ROW EXECUTE FUNCTION anota();
  CREATE TRIGGER apagado AFTER INSERT ON mensajes FOR EACH ROW EXECUTE FUNCTION anota();
  CREATE TRIGGER replica AFTER INSERT ON mensajes FOR EACH ROW EXECUTE FUNCTION anota();
  ALTER TABLE mensajes ENABLE ALWAYS TRIGGER siempre;
  ALTER TABLE mensajes DISABLE TRIGGER apagado;
  ALTER TABLE mensajes ENABLE REPLICA TRIGGER replica;`;

const MODES = { apagado: 'D', avisa: 'O', replica: 'R', siempre: 'A' };

async function modes(url: string): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string; mode: string }>("SELECT tgname AS name, tgenabled AS mode FROM pg_trigger WHERE tgrelid = 'mensajes'::regclass AND NOT tgisinternal ORDER BY 1");
    return Object.fromEntries(rows.map((r) => [r.name, r.mode]));
  });
}

const fired = (url: string): Promise<Record<string, number>> =>
  withClient(url, async (c) => Object.fromEntries((await c.query<{ d: string; n: number }>('SELECT disparador AS d, count(*)::int AS n FROM disparos GROUP BY 1 ORDER BY 1')).rows.map((r) => [r.d, r.n])));
const count = (url: string): Promise<number> => withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM mensajes')).rows[0].n);

t.test('a run that would fire triggers is refused until --triggers says what to do', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query(TRIGGERS_SQL));

  const plan = await runCli(['plan', '--table', 'mensajes'], { DATABASE_URL: url });
  t.equal(plan.code, 2, plan.stderr);
  t.match(plan.stdout, /PROBLEMA: El destino tiene disparadores que COPY ejecutaría una vez por cada fila migrada \(mensajes\.avisa, mensajes\.siempre\)/);
  const planned = await runCli(['plan', '--table', 'mensajes', '--triggers', 'skip'], { DATABASE_URL: url });
  t.equal(planned.code, 0, planned.stdout);
  t.match(planned.stdout, /mensajes tiene el disparador avisa: no se ejecutará para las filas migradas/);

  const refused = await runCli(['--table', 'mensajes', '--report-dir', report()], { DATABASE_URL: url });
  t.equal(refused.code, 2, refused.stderr);
  t.match(refused.stderr, /Repita con --triggers skip .* o con --triggers fire/);
  t.equal(await count(url), 0, 'nada se copió');

  const wrong = await runCli(['--table', 'mensajes', '--triggers', 'nunca', '--report-dir', report()], { DATABASE_URL: url });
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /triggers/);
});

t.test('--triggers skip: no trigger fires for the copied rows, each keeps its mode, and fires again for the application', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query(TRIGGERS_SQL));
  const run = await runCli(['--table', 'mensajes', '--triggers', 'skip', '--report-dir', report()], { DATABASE_URL: url });
  t.equal(run.code, 0, run.stderr);
  const copied = await count(url);
  t.ok(copied > 0, `${copied} filas copiadas`);
  t.same(await fired(url), {}, 'ningún disparo por las filas migradas');
  t.same(await modes(url), MODES, 'cada disparador como estaba');
  await withClient(url, (c) => c.query("INSERT INTO mensajes (id, telefono, tipo_mensaje, contenido) VALUES ('00000000-0000-4000-8000-0000000000aa', '+593990000001', 'texto', 'de la aplicación')"));
  t.same(await fired(url), { avisa: 1, siempre: 1 }, 'una escritura de la aplicación los dispara');
});

t.test('--triggers skip in ranges copied side by side', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  // A hundred copies of each message, so that the ranges have rows to copy at once.
  await withClient(url, (c) =>
    c.query(`${TRIGGERS_SQL};
      INSERT INTO messages (id, conversation_id, user_id, message_type, content, media_url, media_type, ai_response, processing_status, metadata, "timestamp")
        SELECT gen_random_uuid(), conversation_id, user_id, message_type, content || g, media_url, media_type, ai_response, processing_status, metadata, "timestamp" FROM messages, generate_series(1, 100) AS g;
      ANALYZE messages`),
  );
  const dir = report();
  const run = await runCli(['--table', 'mensajes', '--triggers', 'skip', '--range-rows', '60', '--jobs', '3', '--report-dir', dir], { DATABASE_URL: url });
  t.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  t.ok(summary.tables.mensajes.ranges >= 4, `${summary.tables.mensajes.ranges} tramos`);
  t.equal(await count(url), summary.tables.mensajes.written);
  t.ok(summary.tables.mensajes.written > 100);
  t.same(await fired(url), {});
  t.same(await modes(url), MODES);
});

t.test('--triggers fire: they run once per copied row', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query(TRIGGERS_SQL));
  const run = await runCli(['--table', 'mensajes', '--triggers', 'fire', '--report-dir', report()], { DATABASE_URL: url });
  t.equal(run.code, 0, run.stderr);
  const copied = await count(url);
  t.same(await fired(url), { avisa: copied, siempre: copied });
  t.same(await modes(url), MODES);
});

t.test('a failed load leaves the triggers as they were', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query(TRIGGERS_SQL));
  // A check the rows cannot pass, added by hand: the load fails after its COPY began.
  await withClient(url, (c) => c.query("ALTER TABLE mensajes ADD CONSTRAINT nunca CHECK (contenido = 'imposible')"));
  const run = await runCli(['--table', 'mensajes', '--triggers', 'skip', '--retries', '0', '--report-dir', report()], { DATABASE_URL: url });
  t.equal(run.code, 1, run.stderr);
  t.same(await modes(url), MODES);
  t.same(await fired(url), {});
});
