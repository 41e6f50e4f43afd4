import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { PROJECT_ROOT, freshDatabase, withClient } from './helpers/database.js';

const generate = (args: string[]) => spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'dist/dev/generate.js'), ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });

// docs/operador.md: the rehearsal database, and never over one that has data.
t.test('npm run generate fills an empty database with a legacy one to rehearse on, and refuses a database that has one', async (t) => {
  const url = await freshDatabase(t);
  const first = generate(['--url', url, '--messages', '300']);
  t.equal(first.status, 0, first.stderr);
  const messages = await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM messages')).rows[0].n);
  t.equal(messages, 300);
  const again = generate(['--url', url, '--messages', '300']);
  t.equal(again.status, 2);
  t.match(again.stderr, /la base ya tiene tablas heredadas .*nunca en una con datos/);
  t.equal(await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM messages')).rows[0].n), 300, 'no tocó nada');
});
