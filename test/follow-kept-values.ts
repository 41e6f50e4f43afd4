import t from 'tap';
import { KeptValues } from '../lib/follow/kept-values.js';
import { ensureStateSchema } from '../lib/state/state-schema.js';
import { ensureFollowState, storeValues } from '../lib/state/follow-state.js';
import { freshDatabase, withClient } from './helpers/database.js';

// The follow's values (a user's phone) are read through a memory of those seen last, so
// that each batch does not ask the target again for the phones of the same active users.
// What it answers must be what the target holds as the apply left it.
t.test('kept values are read once, follow what the apply stores, and are read again once forgotten or trimmed between batches', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await ensureStateSchema(c);
    await ensureFollowState(c);
    await storeValues(c, 'users', new Map([['a', '+593991111111'], ['b', null], ['c', '+593993333333']]));
    const kept = new KeptValues(4);

    t.same(Object.fromEntries(await kept.read(c, 'users', ['a', 'b', 'x'])), { a: '+593991111111', b: null, x: null }, 'values as stored; a key never stored has none');
    // Changed behind the memory's back: what is remembered is answered without asking the target.
    await c.query("UPDATE copiar_tablas.seguimiento_valores SET valor = 'cambiado por fuera' WHERE clave = 'a'");
    t.equal((await kept.read(c, 'users', ['a'])).get('a'), '+593991111111', 'a key read before is not read again');

    await kept.store(c, 'users', new Map([['a', '+593992222222']]));
    t.equal((await kept.read(c, 'users', ['a'])).get('a'), '+593992222222', 'a value stored is remembered as stored');
    t.equal((await withClient(url, async (d) => (await d.query("SELECT valor FROM copiar_tablas.seguimiento_valores WHERE clave = 'a'")).rows[0].valor)) as string, '+593992222222', 'and it is in the target');

    await c.query("UPDATE copiar_tablas.seguimiento_valores SET valor = 'sembrado de nuevo' WHERE clave = 'a'");
    kept.forget('users');
    t.equal((await kept.read(c, 'users', ['a'])).get('a'), 'sembrado de nuevo', 'a forgotten table is read again');

    // Within a batch the memory only grows: an answer holds its keys, past the limit too, until trim.
    await c.query("UPDATE copiar_tablas.seguimiento_valores SET valor = 'leído otra vez' WHERE clave = 'a'");
    const answer = await kept.read(c, 'users', ['b', 'c', 'c', 'x', 'y']);
    t.same(['a', 'b', 'c', 'x', 'y'].map((key) => answer.get(key)), ['sembrado de nuevo', null, '+593993333333', null, null], 'past the limit, nothing goes before trim; a key asked twice is one');
    // Then the oldest half goes: 'a' was the first remembered.
    kept.trim();
    t.equal((await kept.read(c, 'users', ['a'])).get('a'), 'leído otra vez', 'a value trimmed away is read again');
    t.equal((await kept.read(c, 'otra', ['a'])).get('a'), null, 'values are kept per source table');
  });
});
