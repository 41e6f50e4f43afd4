import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { OneAtATime } from '../lib/pg/one-at-a-time.js';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

// With --jobs, tables that start together read their state on the run lock's session at
// once: pg queued the second query behind the first, and warned that calling query() on
// a busy client is deprecated (pg 9 drops it).
t.test('tables started side by side ask the run lock session one at a time', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const warnings: string[] = [];
  const listen = (warning: Error): void => void warnings.push(warning.message);
  process.on('warning', listen);
  t.teardown(() => void process.off('warning', listen));
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: mkdtempSync(path.join(tmpdir(), 'turnos-')), jobs: 4 });
  t.equal(summary.ok, true);
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  t.same(
    warnings.filter((w) => /already executing a query/.test(w)),
    [],
    'no query sent to a busy session',
  );
});

t.test('OneAtATime runs each piece of work after the one before, a failure included', async (t) => {
  const turns = new OneAtATime();
  const order: string[] = [];
  const step = (name: string, ms: number, fail = false) => () =>
    new Promise<string>((resolve, reject) =>
      setTimeout(() => {
        order.push(name);
        if (fail) reject(new Error(name));
        else resolve(name);
      }, ms),
    );
  const results = await Promise.allSettled([turns.run(step('lenta', 30)), turns.run(step('falla', 1, true)), turns.run(step('rápida', 1))]);
  t.same(order, ['lenta', 'falla', 'rápida']);
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
});
