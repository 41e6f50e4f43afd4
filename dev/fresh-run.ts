import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { targetRows } from './source-writes.js';
import { withClient } from './with-client.js';

const NAMES = TABLES.map((s) => s.target);

/** The nine tables of a fresh run into `fresh` and of `target`, as sorted rows of text: the follow's invariant is that they are the same. */
export async function followedAndFresh(source: string, target: string, fresh: string): Promise<{ ok: boolean; followed: Record<string, string[]>; expected: Record<string, string[]> }> {
  const run = await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: fresh, reportDir: mkdtempSync(path.join(tmpdir(), 'fresco-')) });
  return { ok: run.ok, followed: await withClient(target, (c) => targetRows(c, NAMES)), expected: await withClient(fresh, (c) => targetRows(c, NAMES)) };
}
