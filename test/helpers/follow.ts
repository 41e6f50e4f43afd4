import type { StreamedMessage } from '../../lib/follow/streamed-pgoutput.js';
import { mkdtempSync } from 'node:fs';
import type pg from 'pg';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbedded, withDatabaseName, type EmbeddedServer } from '../../dev/embedded.js';
import { generateLegacy } from '../../dev/generate-legacy.js';
import { applyContext, type ApplyContext } from '../../lib/follow/apply.js';
import { ChangeBatch } from '../../lib/follow/changes.js';
import { recomputeSessions } from '../../lib/follow/recompute.js';
import { sourceIdColumns } from '../../lib/follow/table-follow-kinds.js';
import { connect } from '../../lib/pg/connection.js';
import type { FollowRunOptions } from '../../lib/run/follow-run.js';
import { migrateAndFollow } from '../../lib/run/follow-run.js';
import { TABLES } from '../../transforms/index.js';
import { withClient } from './database.js';
import { followedAndFresh } from '../../dev/fresh-run.js';
import { waitFor } from './generated.js';

const NAMES = TABLES.map((s) => s.target);

/**
 * An embedded server with wal_level=logical, whatever TEST_DATABASE_URL is, holding a
 * generated legacy database `origen` that can be followed (customers with REPLICA
 * IDENTITY FULL), and empty databases with the other names.
 */
export async function followableSource(t: { teardown(fn: () => unknown): void }, messages: number, others: string[] = []): Promise<{ server: EmbeddedServer; source: string }> {
  const server = await startEmbedded({ flags: ['-c', 'wal_level=logical'] });
  t.teardown(() => server.stop());
  for (const name of ['origen', ...others]) await withClient(server.url, (c) => c.query(`CREATE DATABASE ${name}`));
  const source = withDatabaseName(server.url, 'origen');
  await generateLegacy(source, { messages });
  await withClient(source, (c) => c.query('ALTER TABLE customers REPLICA IDENTITY FULL'));
  return { server, source };
}

/** What every test passes to migrateAndFollow: all nine tables, a report folder of its own, short batches. */
export function followOptions(source: string, target: string, signal: AbortSignal): FollowRunOptions {
  return { catalog: TABLES, sourceUrl: source, targetUrl: target, reportDir: mkdtempSync(path.join(tmpdir(), 'seguir-')), signal, maxBatchMs: 50 };
}

/** What the helpers below assert with: tap's test object. */
interface Asserts {
  ok(value: unknown, message: string): unknown;
  same(found: unknown, wanted: unknown, message: string): unknown;
}

/** The invariant: `target` holds, table by table, the rows a fresh run of the source writes into `fresh`. */
export async function sameAsFreshRun(t: Asserts, source: string, target: string, fresh: string): Promise<void> {
  const { ok, followed, expected } = await followedAndFresh(source, target, fresh);
  t.ok(ok, 'la ejecución nueva terminó');
  for (const name of NAMES) t.same(followed[name], expected[name], `${name}: las mismas filas que una ejecución nueva (${expected[name]!.length})`);
}

/**
 * Writes to the source one at a time, each followed by a marker row: once the marker is in
 * the target, the write's batch is applied. The first write waits for the bulk copy too.
 */
export function markedWrites(source: string, target: string): (sql: string) => Promise<void> {
  let marks = 0;
  return async (sql) => {
    const mark = `00000000-0000-4000-8000-${String(++marks).padStart(12, '0')}`;
    await withClient(source, async (c) => {
      await c.query(sql);
      await c.query("INSERT INTO task_queue (id, task_type, status) VALUES ($1, 'reminder', 'pending')", [mark]);
    });
    const applied = (c: pg.ClientBase): Promise<boolean> => c.query('SELECT 1 FROM tareas_programadas WHERE id = $1', [mark]).then((r) => r.rows.length > 0, () => false);
    await waitFor(`la marca ${marks}`, () => withClient(target, applied), 60_000, 50);
  };
}

/**
 * A follow that made its bulk copy and applied one batch, then stopped: the target holds
 * the follow's state, for a test to apply batches of its own with applyBatch.
 */
export async function stoppedFollow(t: { teardown(fn: () => unknown): void }, messages: number): Promise<{ server: EmbeddedServer; source: string; target: string; options: FollowRunOptions }> {
  const { server, source } = await followableSource(t, messages, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const stop = new AbortController();
  const options = followOptions(source, target, stop.signal);
  const following = migrateAndFollow(options);
  await markedWrites(source, target)('SELECT 1');
  stop.abort();
  await following;
  return { server, source, target, options };
}

/** A batch of one source transaction that updated one `users` row, ending at `lsn`. */
export function usersUpdateBatch(id: string, lsn: string): ChangeBatch {
  const batch = new ChangeBatch(sourceIdColumns(TABLES));
  batch.add({ tag: 'update', relation: { name: 'users' }, new: { id }, key: null, old: null } as unknown as StreamedMessage);
  batch.commit(lsn, Date.now());
  return batch;
}

/** The source's WAL position now: the end of the transactions committed so far. */
export function sourceLsnNow(source: string): Promise<string> {
  return withClient(source, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
}

/** Runs `apply` with an apply context on a source and a target session of its own, as the follower does. */
export async function withApplyContext<T>(source: string, target: string, reportDir: string, apply: (context: ApplyContext) => Promise<T>): Promise<T> {
  const sourceSession = await connect({ url: source, role: 'origen', readOnly: true });
  const targetSession = await connect({ url: target, role: 'destino' });
  try {
    return await apply(applyContext(recomputeSessions(sourceSession, targetSession), TABLES, reportDir));
  } finally {
    await sourceSession.end();
    await targetSession.end();
  }
}
