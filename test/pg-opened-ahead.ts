import t from 'tap';
import { connect } from '../lib/pg/connection.js';
import { openedAhead } from '../lib/pg/opened-ahead.js';
import { freshDatabase } from './helpers/database.js';
import { backendPid as pid, toolSessions as sessionsOf } from './helpers/sessions.js';
import { waitFor } from './helpers/generated.js';

// A table's first source session opens while its target session connects: when the
// table fails before taking it, nothing may stay open on the source.
t.test('a session opened ahead and never taken is closed by dispose', async (t) => {
  const url = await freshDatabase(t);
  const sessions = openedAhead(() => connect({ url, role: 'origen', readOnly: true }));
  await waitFor('la sesión adelantada abierta', async () => (await sessionsOf(url)) === 1);
  await sessions.dispose();
  t.ok(await waitFor('ninguna sesión', async () => (await sessionsOf(url)) === 0), 'nothing left open on the server');
});

t.test('take hands out the session opened ahead first, then new ones; dispose leaves taken ones to their taker', async (t) => {
  const url = await freshDatabase(t);
  const sessions = openedAhead(() => connect({ url, role: 'origen', readOnly: true }));
  await waitFor('la sesión adelantada abierta', async () => (await sessionsOf(url)) === 1);
  const [first, second] = [await sessions.take(), await sessions.take()];
  t.not(await pid(first), await pid(second), 'the second take is a session of its own');
  t.equal(await sessionsOf(url), 2, 'the first take opened nothing more');
  await sessions.dispose();
  await t.resolves(pid(first), 'a taken session stays open after dispose');
  await first.end();
  await second.end();
});

t.test('a session that could not open fails its taker, and dispose does not throw', async (t) => {
  const url = await freshDatabase(t);
  const missing = new URL(url);
  missing.pathname = '/no_existe_esta_base';
  const sessions = openedAhead(() => connect({ url: missing.toString(), role: 'origen' }));
  await t.rejects(sessions.take(), { code: 'CONEXION_FALLIDA' });
  await t.resolves(sessions.dispose());
  const untaken = openedAhead(() => connect({ url: missing.toString(), role: 'origen' }));
  await t.resolves(untaken.dispose(), 'dispose of a failed, untaken session');
});
