// The range spools of a table's rejects used to be deleted before the table's last
// transaction committed: when that commit failed, a resume found nothing to write the
// reject file from. Here the last commit fails for real (a deferred constraint trigger
// on the state table), and the resume must finish with the file of an uninterrupted run.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { tableText } from './helpers/fixture.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

const RANGES = ['--table', 'mensajes', '--range-rows', '5000'];

const TRAP = `
  CREATE TABLE public.fallar_al_confirmar (tabla TEXT);
  INSERT INTO public.fallar_al_confirmar VALUES ('mensajes');
  CREATE FUNCTION public.fallar_al_confirmar() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.estado = 'completa' AND EXISTS (SELECT 1 FROM public.fallar_al_confirmar f WHERE f.tabla = NEW.tabla) THEN
      RAISE EXCEPTION 'fallo inyectado al confirmar %', NEW.tabla;
    END IF;
    RETURN NULL;
  END $$;
  CREATE CONSTRAINT TRIGGER fallar_al_confirmar AFTER INSERT OR UPDATE ON copiar_tablas.cargas
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.fallar_al_confirmar();`;

t.test('a failed last commit keeps the range spools; --resume writes the reject file of an uninterrupted run', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const cleanTarget = await freshDatabase(t);
  const cleanDir = mkdtempSync(path.join(tmpdir(), 'limpio-'));
  const clean = await runCli([...RANGES, '--report-dir', cleanDir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: cleanTarget });
  t.equal(clean.code, 0, clean.stderr);

  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  // A first small run creates the state schema the trap hangs on.
  t.equal((await runCli(['--table', 'profesiones', '--report-dir', mkdtempSync(path.join(tmpdir(), 'previa-'))], env)).code, 0);
  await withClient(target, (c) => c.query(TRAP));
  const dir = mkdtempSync(path.join(tmpdir(), 'trampa-'));
  const failed = await runCli([...RANGES, '--report-dir', dir], env);
  t.equal(failed.code, 1, failed.stderr);
  t.match(failed.stderr, /fallo inyectado al confirmar mensajes/);
  const committed = await withClient(target, async (c) => (await c.query("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0].n);
  t.ok(committed > 2, `${committed} tramos confirmados`);
  t.equal(readdirSync(path.join(dir, 'rejects', '.tramos')).length, committed, 'cada tramo conserva su fichero de rechazos');

  await withClient(target, (c) => c.query('DELETE FROM public.fallar_al_confirmar'));
  const resumed = await runCli(['--resume'], env);
  t.equal(resumed.code, 0, resumed.stderr);
  t.equal(readFileSync(path.join(dir, 'rejects', 'mensajes.csv'), 'utf8'), readFileSync(path.join(cleanDir, 'rejects', 'mensajes.csv'), 'utf8'), 'el mismo fichero de rechazos');
  t.equal(await tableText(target, 'mensajes'), await tableText(cleanTarget, 'mensajes'), 'las mismas filas');
  t.same(readdirSync(path.join(dir, 'rejects', '.tramos')), [], 'tras el commit, los ficheros de los tramos se borran');
  t.ok(existsSync(path.join(dir, 'summary.json')));
});
