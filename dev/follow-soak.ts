// `npm run soak -- [--minutes 3] [--messages 20000] [--writers 4]`: the follow mode under
// random writes for minutes, through the real CLI, then the invariant checked.
//
// On an embedded PostgreSQL with wal_level=logical: `npx copiar-tablas --follow` starts
// while several sessions write at random (every kind of write the tests make, on all nine
// tables, and the application's load of the follow benchmark); halfway the follower is
// killed (SIGKILL) and started again with --resume; at the end the writes stop, the
// follower is stopped, `cutover --verify` drains the slot, and every target table is
// compared row for row with a fresh run into another database. Exit 0 only when all nine
// are the same.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { TABLES } from '../transforms/index.js';
import { startEmbedded, withDatabaseName, type EmbeddedServer } from './embedded.js';
import { followedAndFresh } from './fresh-run.js';
import { generateLegacy } from './generate-legacy.js';
import { startBuiltCli, type BuiltCli } from './built-cli.js';
import { Writer, WRITE_ROUNDS } from './source-writes.js';
import { withClient } from './with-client.js';

interface SoakArgs {
  minutes: number;
  messages: number;
  writers: number;
  /** 1: on a failure the server stays up, its URLs printed, until Ctrl-C (to look at the slot and the target). */
  keep: number;
}

const USAGE = 'use: npm run soak -- [--minutes 3] [--messages 20000] [--writers 4] [--keep 1]';

function parseSoakArgs(argv: string[]): SoakArgs {
  const args: SoakArgs = { minutes: 3, messages: 20_000, writers: 4, keep: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!.replace(/^--/, '') as keyof SoakArgs;
    const value = Number(argv[i + 1]);
    if (!(key in args) || !(key === 'keep' ? value === 0 || value === 1 : value > 0) || (key !== 'minutes' && !Number.isInteger(value))) throw new Error(`opción no válida ${argv[i]} ${argv[i + 1] ?? ''}; ${USAGE}`);
    args[key] = value;
  }
  return args;
}

const say = (line: string): boolean => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The CLI as an operator runs it; resolves with its exit status and keeps its last output. */
/** The CLI, keeping the last 20 kB of what it says: a follow of minutes says a lot. */
function cli(args: string[]): BuiltCli {
  return startBuiltCli(args, { keepLast: 20_000 });
}

/**
 * One writing session: at random, the application's load (messages inserted, edited and
 * deleted, sessions touched, a user's phone now and then) or one write of the tests' rounds
 * (phones that collide and repair, providers that go, professions merged, TRUNCATE...)
 * with a round number that moves the rows it touches. A write the source refuses (a key
 * already taken by an earlier round) is counted and the session goes on.
 */
async function writeAtRandom(url: string, writer: Writer, until: () => boolean, counts: { writes: number; refused: number }): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    while (!until()) {
      try {
        if (Math.random() < 0.7) await writer.write(client);
        else await client.query(WRITE_ROUNDS[Math.floor(Math.random() * WRITE_ROUNDS.length)]!(1 + Math.floor(Math.random() * 500)));
        counts.writes++;
      } catch {
        counts.refused++;
      }
    }
  } finally {
    await client.end();
  }
}

export async function followSoak(argv: string[]): Promise<number> {
  let server: EmbeddedServer | undefined;
  let follower: ReturnType<typeof cli> | undefined;
  let keep = false;
  try {
    const args = parseSoakArgs(argv);
    keep = args.keep === 1;
    server = await startEmbedded({ flags: ['-c', 'wal_level=logical'] });
    for (const name of ['origen', 'destino', 'fresco']) await withClient(server.url, (c) => c.query(`CREATE DATABASE ${name}`));
    const [source, target, fresh] = ['origen', 'destino', 'fresco'].map((name) => withDatabaseName(server!.url, name)) as [string, string, string];
    say(`Generando ${args.messages} mensajes...`);
    await generateLegacy(source, { messages: args.messages });
    await withClient(source, (c) => c.query('ALTER TABLE customers REPLICA IDENTITY FULL'));
    const { users, sessions } = await withClient(source, async (c) => ({
      users: (await c.query("SELECT id FROM users WHERE phone_number LIKE '%9%'")).rows.map((r) => r.id as string),
      sessions: (await c.query('SELECT id FROM sessions')).rows.map((r) => r.id as string),
    }));

    const reportDir = mkdtempSync(path.join(os.tmpdir(), 'soak-'));
    const urls = ['--source', source, '--target', target, '--json'];
    say(`npx copiar-tablas --follow, con ${args.writers} sesiones escribiendo al azar durante ${args.minutes} min`);
    follower = cli(['--follow', ...urls, '--report-dir', reportDir]);
    const counts = { writes: 0, refused: 0 };
    const end = performance.now() + args.minutes * 60_000;
    // A follower that ends on its own has failed: the writes stop at once, and the failure is reported.
    let failed: string | null = null;
    const watch = (f: ReturnType<typeof cli>, killedOnPurpose: () => boolean): void =>
      void f.done.then((code) => {
        if (!killedOnPurpose() && failed === null) failed = `el seguidor terminó solo (salida ${code}): ${f.output().slice(-2000)}`;
      });
    let killing = false;
    watch(follower, () => killing);
    const writing = Promise.all(Array.from({ length: args.writers }, (_, k) => writeAtRandom(source, new Writer(users, sessions, k * 10_000_000), () => failed !== null || performance.now() > end, counts)));

    // Halfway: the follower is killed as a crash would, and resumed.
    const half = performance.now() + (args.minutes * 60_000) / 2;
    while (failed === null && performance.now() < half) await sleep(200);
    if (failed === null) {
      killing = true;
      follower.child.kill('SIGKILL');
      const killed = await follower.done;
      say(`seguidor matado (SIGKILL, salida ${killed}) tras ${counts.writes} escrituras; --follow --resume`);
      follower = cli(['--follow', '--resume', ...urls]);
      let stopping = false;
      watch(follower, () => stopping);
      await writing;
      stopping = true;
    } else await writing;
    if (failed !== null) throw new Error(failed);
    say(`escrituras paradas: ${counts.writes} hechas, ${counts.refused} rechazadas por el origen`);
    await sleep(2_000);
    follower.child.kill('SIGTERM');
    const stopped = await follower.done;
    if (stopped !== 0) throw new Error(`el seguidor terminó con ${stopped}: ${follower.output().slice(-2000)}`);

    const cut = cli(['cutover', '--verify', ...urls]);
    const cutCode = await cut.done;
    say(`cutover --verify: salida ${cutCode}`);
    if (cutCode !== 0) throw new Error(`cutover terminó con ${cutCode}: ${cut.output().slice(-2000)}`);

    say('Ejecución nueva en otra base para comparar...');
    const { ok, followed, expected } = await followedAndFresh(source, target, fresh);
    if (!ok) throw new Error('la ejecución nueva no terminó');
    const names = TABLES.map((spec) => spec.target);
    let differing = 0;
    for (const name of names) {
      const want = new Set(expected[name]);
      const have = new Set(followed[name]);
      const missing = expected[name]!.filter((row) => !have.has(row)).length;
      const extra = followed[name]!.filter((row) => !want.has(row)).length;
      if (missing + extra > 0) differing++;
      process.stdout.write(`${name}: ${expected[name]!.length} filas en la ejecución nueva, ${followed[name]!.length} seguidas; ${missing + extra === 0 ? 'iguales' : `${missing} faltan, ${extra} sobran`}\n`);
    }
    process.stdout.write(differing === 0 ? `Las nueve tablas son iguales a una ejecución nueva tras ${counts.writes} escrituras al azar.\n` : `${differing} tablas difieren.\n`);
    return differing === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`La prueba larga falló: ${(error as Error).message}\n`);
    if (keep && server !== undefined) {
      follower?.child.kill('SIGKILL');
      process.stderr.write(`El servidor sigue en marcha para mirarlo (Ctrl-C lo para): ${server.url}\n`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
    }
    return 1;
  } finally {
    follower?.child.kill('SIGKILL');
    await server?.stop().catch(() => undefined);
  }
}

// Exit with the soak's own status: the embedded server's exit hook would otherwise end the process with 0.
process.exit(await followSoak(process.argv.slice(2)));
