import t from 'tap';
import { preparedValues } from '../lib/lookups/prepared-join.js';
import { TABLES } from '../transforms/index.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { withClient } from './helpers/database.js';

// Every batch of a follow asks the source for the phones of the users it changed
// (apply.ts, changedKeys). The prepared join's query cast users.id to text, the filter on
// the cast could not use the primary key, and each batch read all of users: 26 ms a batch
// at 50,000 users, growing with the users of production.
t.test('the phones of a few users are read by the primary key of users, not by reading all of them', async (t) => {
  const source = await generatedLegacyDatabase(t, 2000);
  const join = TABLES.find((spec) => spec.target === 'mensajes')!.source.prepared!;
  await withClient(source, async (c) => {
    const users = (await c.query<{ id: string; phone_number: string | null }>('SELECT id::text AS id, phone_number FROM users ORDER BY id LIMIT 3')).rows;
    await c.query('BEGIN');
    // A table this small is read whole whenever that is cheaper: the question is whether the index can be used at all.
    await c.query('SET LOCAL enable_seqscan = off');
    // The session's reads of users not yet reported, as the statistics count them (earlier statements' too: hence a difference).
    const reads = async (): Promise<{ seq: number; idx: number }> => {
      const { rows } = await c.query<{ seq: string; idx: string }>("SELECT seq_scan::text AS seq, idx_scan::text AS idx FROM pg_stat_xact_user_tables WHERE relname = 'users'");
      return { seq: Number(rows[0]!.seq), idx: Number(rows[0]!.idx) };
    };
    const before = await reads();
    const values = await preparedValues(c, join, users.map((u) => u.id));
    const after = await reads();
    await c.query('COMMIT');
    t.same([...values.keys()].sort(), users.map((u) => u.id).sort(), 'the values of the users asked for, and only theirs');
    t.equal(values.get(users[0]!.id), join.value(users[0]!.phone_number), 'each value is the rule applied to the phone');
    t.equal(after.seq - before.seq, 0, 'users is not read whole');
    t.ok(after.idx - before.idx >= 1, 'users is read by its index');
  });
});
