// A source whose database runs with standard_conforming_strings = off reads backslashes
// in a plain '...' literal as escapes: the prepared join's array literal broke, and the
// server's error quoted every user's phone into stderr, --json and summary.json.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase, tableText } from './helpers/fixture.js';

t.test('the copy does not depend on standard_conforming_strings', async (t) => {
  const source = await dirtyLegacyDatabase(t);
  // Phones written the way users do, backslashes and quotes included.
  await withClient(source, (c) => c.query(`UPDATE users SET phone_number = phone_number || E' \\\\ "x''y'`));
  const clean = await freshDatabase(t);
  const r1 = await runCli(['--table', 'mensajes', '--report-dir', mkdtempSync(path.join(tmpdir(), 'scs-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: clean });
  t.equal(r1.code, 0, r1.stderr);

  const dbname = new URL(source).pathname.slice(1);
  await withClient(source, (c) => c.query(`ALTER DATABASE "${dbname}" SET standard_conforming_strings = off`));
  const target = await freshDatabase(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'scs-'));
  const r2 = await runCli(['--table', 'mensajes', '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(r2.code, 0, r2.stderr);
  t.equal(await tableText(target, 'mensajes'), await tableText(clean, 'mensajes'), 'las mismas filas');
  t.notMatch(readFileSync(path.join(dir, 'summary.json'), 'utf8'), /\+593/, 'ningún teléfono en el resumen');
});
