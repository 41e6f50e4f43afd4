import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbedded, withDatabaseName, type EmbeddedServer } from '../../dev/embedded.js';
import { generateLegacy } from '../../dev/generate-legacy.js';
import type { FollowRunOptions } from '../../lib/run/follow-run.js';
import { migrate } from '../../lib/run/migrate.js';
import { TABLES } from '../../transforms/index.js';
import { withClient } from './database.js';
import { targetRows } from './source-writes.js';

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

/** The nine tables of a fresh run into `fresh` and of `target`, as sorted rows of text. */
export async function followedAndFresh(source: string, target: string, fresh: string): Promise<{ ok: boolean; followed: Record<string, string[]>; expected: Record<string, string[]> }> {
  const run = await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: fresh, reportDir: mkdtempSync(path.join(tmpdir(), 'fresco-')) });
  return { ok: run.ok, followed: await withClient(target, (c) => targetRows(c, NAMES)), expected: await withClient(fresh, (c) => targetRows(c, NAMES)) };
}
