import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { indexSql, keySql, keySqlUsingIndexes, primaryKeyName, standaloneIndexSql, uniqueName } from '../lib/schema/ddl.js';
import { TABLES } from '../transforms/index.js';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

t.test('every key gets its index built on its own, and every index of the table is among them', async (t) => {
  for (const spec of TABLES) {
    const built = standaloneIndexSql(spec).join('\n');
    for (const name of [primaryKeyName(spec), ...(spec.unique ?? []).map((u) => uniqueName(spec, u)), ...Object.keys(spec.indexes)]) t.match(built, `"${name}"`, `${spec.target}: ${name}`);
    t.equal(standaloneIndexSql(spec).length, 1 + (spec.unique ?? []).length + indexSql(spec).length);
    t.equal(keySqlUsingIndexes(spec).length, keySql(spec).length, `${spec.target}: las mismas claves`);
    t.notMatch(keySqlUsingIndexes(spec).join('\n'), /PRIMARY KEY \(|UNIQUE \(/, `${spec.target}: las claves toman los índices hechos`);
  }
});

async function shape(url: string): Promise<{ constraints: string[]; indexes: string[] }> {
  return withClient(url, async (c) => ({
    constraints: (await c.query("SELECT conname || ':' || contype::text AS x FROM pg_constraint WHERE conrelid = 'mensajes'::regclass ORDER BY 1")).rows.map((r) => r.x),
    indexes: (await c.query("SELECT indexname AS x FROM pg_indexes WHERE tablename = 'mensajes' ORDER BY 1")).rows.map((r) => r.x),
  }));
}

// A table in ranges builds its indexes side by side once its rows are in, and the keys
// take them over. Same end state as an atomic load; and what a stop between the two
// leaves (unique indexes without their key) is cleaned by the next run.
t.test('a table in ranges ends with the same keys and indexes as one loaded atomically, and a run after a cut build starts clean', async (t) => {
  const source = await generatedLegacyDatabase(t, 8_000);
  const atomic = await freshDatabase(t);
  const ranged = await freshDatabase(t);
  const report = (): string[] => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'indices-'))];
  t.equal((await runCli(['--table', 'mensajes', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: atomic })).code, 0);
  const run = await runCli(['--table', 'mensajes', '--range-rows', '2000', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: ranged });
  t.equal(run.code, 0, run.stderr);
  const expected = await shape(atomic);
  t.same(await shape(ranged), expected, 'mismas restricciones e índices');
  t.ok(expected.constraints.includes('mensajes_pkey:p'), 'con su clave primaria');

  // As a stop after the builds and before the last transaction leaves it.
  await withClient(ranged, (c) => c.query('ALTER TABLE mensajes DROP CONSTRAINT mensajes_pkey; CREATE UNIQUE INDEX mensajes_pkey ON mensajes (id)'));
  const again = await runCli(['--table', 'mensajes', '--range-rows', '2000', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: ranged });
  t.equal(again.code, 0, again.stderr);
  t.same(await shape(ranged), expected, 'la ejecución siguiente empieza limpia y acaba igual');
  const verify = await runCli(['verify', '--table', 'mensajes'], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: ranged });
  t.equal(verify.code, 0, verify.stdout);
});
