import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { parseCsv } from './helpers/csv.js';
import { legacyDatabase, withClient } from './helpers/database.js';

// The users' phones travel inside the COPY's SQL as array literals: whatever a user
// typed must come back exactly, and nothing typed can change the query.
t.test('phones with quotes, backslashes and SQL in them reach the reject file unchanged', async (t) => {
  const url = await legacyDatabase(t);
  const nasty = [`0'; DROP TABLE messages; --`, `a"b\\c`, `ñ \\" '' "`, `{1,2}`, 'NULL'];
  await withClient(url, async (c) => {
    for (const [i, phone] of nasty.entries()) {
      const user = `00000000-0000-4000-8000-00000000010${i}`;
      await c.query('INSERT INTO users (id, phone_number) VALUES ($1, $2)', [user, phone]);
      await c.query(`INSERT INTO messages (id, user_id, content) VALUES ($1, $2, 'x')`, [`00000000-0000-4000-8000-00000000020${i}`, user]);
    }
    await c.query(`INSERT INTO users (id, phone_number) VALUES ('00000000-0000-4000-8000-000000000199', '0991234567')`);
    await c.query(`INSERT INTO messages (id, user_id, content) VALUES ('00000000-0000-4000-8000-000000000299', '00000000-0000-4000-8000-000000000199', 'x')`);
  });
  const reportDir = mkdtempSync(path.join(tmpdir(), 'informe-'));
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['mensajes'], reportDir });
  t.match(summary.tables.mensajes, { read: 6, written: 1, rejected: 5 });
  const csv = readFileSync(path.join(reportDir, 'rejects', 'mensajes.csv'), 'utf8');
  const details = parseCsv(csv).slice(1).map((r) => [r[0], r[1]]);
  t.same(details, nasty.map((phone) => ['telefono_invalido', `telefono: ${JSON.stringify(phone)}`]));
  t.equal(await withClient(url, async (c) => (await c.query('SELECT telefono FROM mensajes')).rows[0].telefono), '+593991234567');
  t.equal(await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM messages')).rows[0].n), 6, 'messages sigue ahí');
});
