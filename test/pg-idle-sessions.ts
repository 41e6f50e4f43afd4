import t from 'tap';
import { connect } from '../lib/pg/connection.js';
import { IdleSessions } from '../lib/pg/idle-sessions.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { backendPid as pid, toolSessions as sessionsOf } from './helpers/sessions.js';
import { waitFor } from './helpers/generated.js';

t.test('a session given back is the next one taken; close ends the idle ones', async (t) => {
  const url = await freshDatabase(t);
  const sessions = new IdleSessions(() => connect({ url, role: 'destino' }));
  const first = await sessions.take();
  const firstPid = await pid(first);
  sessions.giveBack(first);
  const again = await sessions.take();
  t.equal(await pid(again), firstPid, 'the same backend');
  const other = await sessions.take();
  t.not(await pid(other), firstPid, 'with none idle, a new session');
  sessions.giveBack(again);
  sessions.giveBack(other);
  await sessions.close();
  t.ok(await waitFor('ninguna sesión', async () => (await sessionsOf(url)) === 0), 'nothing left open on the server');
});

// Between two tables the server may end a session (a restart, an administrator, an idle
// timeout of the provider): the next table must get a live one.
t.test('a session the server ended while it waited is not handed out again', async (t) => {
  const url = await freshDatabase(t);
  const sessions = new IdleSessions(() => connect({ url, role: 'destino' }));
  const first = await sessions.take();
  const firstPid = await pid(first);
  const ended = new Promise<void>((resolve) => first.once('end', () => resolve()));
  sessions.giveBack(first);
  await withClient(url, (c) => c.query('SELECT pg_terminate_backend($1)', [firstPid]));
  await ended;
  const next = await sessions.take();
  t.not(await pid(next), firstPid, 'a new session, not the ended one');
  await next.end();
  await sessions.close();
});
