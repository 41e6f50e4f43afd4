import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { maskUrl } from '../lib/pg/secrets.js';
import { runCli } from './helpers/cli.js';
import { freshDatabase } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

const report = (): string[] => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'nombres-'))];
const SAME = /Origen y destino son la misma base de datos/;

// At 4 a.m. the operator must see which databases the run is about to touch.
t.test('the run and plan name both databases first, passwords masked, and say when they are the same one', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const same = await runCli(['--table', 'clientes', ...report()], { DATABASE_URL: url });
  t.equal(same.code, 0, same.stderr);
  const lines = same.stderr.split('\n');
  t.match(lines[0], new RegExp(`Origen: ${maskUrl(url).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  t.match(lines[1], /Destino: /);
  t.match(same.stderr, SAME);
  t.notOk(new URL(url).password !== '' && same.stderr.includes(new URL(url).password), 'sin la contraseña');
  const plan = await runCli(['plan', '--table', 'clientes'], { DATABASE_URL: url });
  t.match(plan.stdout, /^Origen: .*\nDestino: .*\nOrigen y destino son la misma base de datos/);

  const target = await freshDatabase(t);
  const apart = await runCli(['--table', 'clientes', ...report()], { SOURCE_DATABASE_URL: url, TARGET_DATABASE_URL: target });
  t.equal(apart.code, 0, apart.stderr);
  t.notMatch(apart.stderr, SAME);
  t.notMatch((await runCli(['plan', '--table', 'clientes'], { SOURCE_DATABASE_URL: url, TARGET_DATABASE_URL: target })).stdout, SAME);
});
