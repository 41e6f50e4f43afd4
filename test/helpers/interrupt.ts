import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runCli, startCli, type CliPlace, type CliResult } from './cli.js';
import { waitUntilRunWaitsForLock } from './generated.js';

/**
 * A run stopped by SIGTERM right after its first range commits: the test holds the
 * checkpoint table, so the run blocks just before that commit; SIGTERM, then the hold
 * ends, the range commits and the run stops at the range boundary.
 */
export async function stopAfterFirstRange(databases: { source: string; target: string }, args: string[], env: Record<string, string>, place: CliPlace = {}): Promise<CliResult> {
  const { source, target } = databases;
  // A first run creates the state schema whose checkpoint table is held.
  const setup = await runCli(['--table', 'profesiones', '--report-dir', mkdtempSync(path.join(tmpdir(), 'prev-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  if (setup.code !== 0) throw new Error(`la ejecución previa falló: ${setup.stderr}`);
  const blocker = new pg.Client({ connectionString: target });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE copiar_tablas.tramos IN EXCLUSIVE MODE');
  const run = startCli(args, env, place);
  await waitUntilRunWaitsForLock(target);
  run.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  await blocker.query('COMMIT');
  await blocker.end();
  return run.done;
}
