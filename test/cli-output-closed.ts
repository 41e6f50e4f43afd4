// `copiar-tablas --json | head -3`: the reader goes away mid-run. That is a stop, like
// Ctrl-C, not a crash on EPIPE that leaves the run recorded as still going.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliNodeArgs } from '../dev/paths.js';
import { runCli } from './helpers/cli.js';
import { PROJECT_ROOT, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';
import { holdReadLock } from './helpers/locks.js';

const report = () => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'epipe-'))];

t.test('a --json reader that closes stops the run cleanly', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  t.equal((await runCli(['--table', 'mensajes', ...report()], { DATABASE_URL: url })).code, 0);
  // An application transaction keeps the run waiting, and writing retry events, after
  // the reader has gone.
  const holder = await holdReadLock(url);
  t.teardown(holder.release);
  const child = spawn(process.execPath, [...cliNodeArgs(), '--table', 'mensajes', '--json', ...report()], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let lines = 0;
  // Like head -3: read three lines, then close the pipe.
  child.stdout.on('data', (d: Buffer) => {
    lines += String(d).split('\n').length - 1;
    if (lines >= 3) child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await holder.release();
  t.equal(code, 1, stderr);
  t.notMatch(stderr, /\n\s+at |Unhandled|uncaught/i, 'sin traza de un fallo');
  const state = await withClient(url, async (c) => (await c.query('SELECT estado FROM copiar_tablas.ejecuciones ORDER BY id DESC LIMIT 1')).rows[0].estado);
  t.equal(state, 'detenida', 'la ejecución queda detenida, no en curso');
});
