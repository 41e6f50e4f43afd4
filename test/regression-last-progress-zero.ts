// The last progress event of a table copied in one transaction used to report 0 rows:
// it was sent after the finished transform had left the set it was counted from.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

t.test('the last progress event of a table carries its totals, never zeros', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const r = await runCli(['--table', 'mensajes', '--json', '--report-dir', mkdtempSync(path.join(tmpdir(), 'progreso-'))], { DATABASE_URL: url });
  t.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
  const progress = events.filter((e) => e.event === 'table_progress' && e.table === 'mensajes');
  t.ok(progress.length >= 1, 'al menos un evento de progreso');
  t.match(progress[progress.length - 1], { read: 4, written: 2, rejected: 2 });
  t.ok(progress.every((e) => e.read > 0), `lecturas: ${progress.map((e) => e.read).join(', ')}`);
});
