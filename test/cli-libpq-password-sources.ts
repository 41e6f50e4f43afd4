// A URL may leave its password out: node-postgres reads PGPASSWORD, and ~/.pgpass (or
// the file PGPASSFILE names), as libpq does. The README tells operators to prefer them
// to a password on the command line, which `ps` shows.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startEmbedded } from '../dev/embedded.js';
import { runCli } from './helpers/cli.js';

t.test('PGPASSWORD and a pgpass file give the password a URL leaves out', async (t) => {
  // A server of its own, which checks passwords (the shared one may trust everyone).
  const server = await startEmbedded();
  t.teardown(() => server.stop());
  const url = new URL(server.url);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const withoutPassword = url.toString();

  const none = await runCli(['plan', '--table', 'profesiones'], { DATABASE_URL: withoutPassword, PGPASSFILE: '/nonexistent' });
  t.equal(none.code, 2, 'sin contraseña por ningún lado, no entra');

  const env = await runCli(['plan', '--table', 'profesiones'], { DATABASE_URL: withoutPassword, PGPASSWORD: password });
  t.match(env.stdout, /Orden de carga: profesiones/, `PGPASSWORD: ${env.stderr}`);

  const file = path.join(mkdtempSync(path.join(tmpdir(), 'pgpass-')), 'pgpass');
  writeFileSync(file, `127.0.0.1:${server.port}:*:postgres:${password}\n`, { mode: 0o600 });
  const pgpass = await runCli(['plan', '--table', 'profesiones'], { DATABASE_URL: withoutPassword, PGPASSFILE: file });
  t.match(pgpass.stdout, /Orden de carga: profesiones/, `PGPASSFILE: ${pgpass.stderr}`);
});
