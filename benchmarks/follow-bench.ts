// `npm run bench -- --follow [--rows 1000000] [--rate 2000] [--seconds 30] [--backlog 100000] [--rounds 5] [--rtt-ms 0]`:
// copiar-tablas --follow beside PostgreSQL's own logical replication (subscriptions applying
// the same stream to plain copies of the legacy tables, one of them with the target's
// secondary indexes). The source and the targets are two servers on the same machine: a
// walsender reads all of its server's WAL, and on one server each consumer's stream also
// carried the WAL that the consumers timed before it had written into their own targets.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

import { startBuiltCli, type BuiltCli } from '../dev/built-cli.js';
import { projectRoot } from '../dev/paths.js';
import { freePort, startEmbedded, withDatabaseName, type EmbeddedServer } from '../dev/embedded.js';
import { LEGACY_SCHEMA_SQL, generateLegacy } from '../dev/generate-legacy.js';
import { Writer } from '../dev/source-writes.js';
import { withClient } from '../dev/with-client.js';
import { startDelayProxy, throughProxy, type DelayProxy } from './delay-proxy.js';
import { followerReplayer, medianReplay, nativeReplayer, replayRounds, until, untilRow, type ApplyCpu } from './follow-replay.js';
import { machine, middle } from './machine.js';

interface FollowArgs {
  rows: number;
  /** Writes per second of the steady load. */
  rate: number;
  seconds: number;
  /** Writes made while both consumers are stopped, then applied: the apply rate. */
  backlog: number;
  /** Replays of the backlog per consumer (the median is reported). */
  rounds: number;
  /**
   * Round trip to the servers, through a delay proxy (delay-proxy.ts): copiar-tablas'
   * sessions and the subscriptions' connection to the source, as with a hosted database
   * a network away (a subscription applies inside its own server). 0: straight to them.
   */
  rttMs: number;
}

/**
 * The secondary indexes that the target keeps up on mensajes and sesiones (transforms/), on
 * the legacy columns they come from (telefono comes from the user): a native subscription
 * into these tables maintains as many indexes per row as the follower does.
 */
const TARGET_LIKE_INDEXES = `
CREATE INDEX ON messages (conversation_id); CREATE INDEX ON messages (user_id); CREATE INDEX ON messages (message_type);
CREATE INDEX ON messages (processing_status); CREATE INDEX ON messages ("timestamp");
CREATE INDEX ON sessions (user_id); CREATE INDEX ON sessions (session_id); CREATE INDEX ON sessions (status);
CREATE INDEX ON sessions (expires_at); CREATE INDEX ON sessions (last_activity);
`;

const USAGE = 'use --follow [--rows 1000000] [--rate 2000] [--seconds 30] [--backlog 100000] [--rounds 5] [--rtt-ms 0]';

function parseFollowArgs(argv: string[]): FollowArgs {
  const args: FollowArgs = { rows: 1_000_000, rate: 2000, seconds: 30, backlog: 100_000, rounds: 5, rttMs: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i]!, Number(argv[i + 1])];
    const key = flag.replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof FollowArgs;
    if (!(key in args) || !Number.isInteger(value) || value < 1) throw new Error(`opción no válida ${flag} ${argv[i + 1] ?? ''}; ${USAGE}`);
    args[key] = value;
  }
  return args;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A marker message both consumers must apply: end-to-end lag is the time it takes to appear. */
async function markerLag(source: string, targets: { name: string; url: string; table: string }[], n: number): Promise<Record<string, number>> {
  const id = `ffffffff-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const users = await withClient(source, async (c) => (await c.query("SELECT id FROM users WHERE phone_number LIKE '%9%' LIMIT 1")).rows[0].id as string);
  const written = performance.now();
  await withClient(source, (c) => c.query("INSERT INTO messages (id, user_id, message_type, content) VALUES ($1, $2, 'text', 'marca')", [id, users]));
  const lags: Record<string, number> = {};
  await Promise.all(
    targets.map(async (t) => {
      await untilRow(t.url, t.table, id, `marca en ${t.name}`, 120_000);
      lags[t.name] = (performance.now() - written) / 1000;
    }),
  );
  return lags;
}

function peakRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function startFollower(urls: string[], extra: string[]): BuiltCli {
  return startBuiltCli(['--follow', ...urls, '--json', ...extra]);
}

export async function followBench(argv: string[]): Promise<number> {
  const args = parseFollowArgs(argv);
  let sourceServer: EmbeddedServer | undefined;
  let targetServer: EmbeddedServer | undefined;
  let follower: ReturnType<typeof startFollower> | undefined;
  const proxies: DelayProxy[] = [];
  /** A server's URL as the consumers reach it: through a delay proxy when --rtt-ms asks for one. */
  const reached = async (server: EmbeddedServer): Promise<string> => {
    if (args.rttMs === 0) return server.url;
    const proxy = await startDelayProxy(await freePort(), server.port, args.rttMs);
    proxies.push(proxy);
    return throughProxy(server.url, proxy);
  };
  try {
    sourceServer = await startEmbedded({ flags: ['-c', 'wal_level=logical', '-c', 'max_wal_size=4GB', '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20'] });
    targetServer = await startEmbedded({ flags: ['-c', 'max_wal_size=4GB', '-c', 'maintenance_work_mem=256MB'] });
    await withClient(sourceServer.url, (c) => c.query('CREATE DATABASE origen'));
    for (const name of ['destino', 'nativo', 'nativo_indices']) await withClient(targetServer.url, (c) => c.query(`CREATE DATABASE ${name}`));
    const source = withDatabaseName(sourceServer.url, 'origen');
    const target = withDatabaseName(targetServer.url, 'destino');
    const [sourceReached, targetReached] = [await reached(sourceServer), await reached(targetServer)];
    const natives = [
      { name: 'nativo', url: withDatabaseName(targetServer.url, 'nativo'), indexes: '' },
      { name: 'nativo_indices', url: withDatabaseName(targetServer.url, 'nativo_indices'), indexes: TARGET_LIKE_INDEXES },
    ];
    const version = await withClient(source, async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
    process.stderr.write(`Generando ${args.rows.toLocaleString('en-US')} mensajes en PostgreSQL ${version}...\n`);
    await generateLegacy(source, { messages: args.rows });
    await withClient(source, (c) => c.query('ALTER TABLE customers REPLICA IDENTITY FULL; ANALYZE'));

    // PostgreSQL's own: the same tables, a subscription that copies them and then applies the
    // stream; once into the tables as they are (the issue's baseline), once into tables that
    // also carry the secondary indexes the target keeps up on mensajes and sesiones.
    process.stderr.write('Suscripciones nativas: copia inicial...\n');
    await withClient(source, (c) => c.query('CREATE PUBLICATION nativo FOR TABLE users, customers, professions, provider_professions, provider_services, service_requests, messages, sessions, task_queue'));
    const { port, username, password } = new URL(sourceReached);
    const conninfo = `host=127.0.0.1 port=${port} dbname=origen user=${decodeURIComponent(username)} password=${decodeURIComponent(password)}`;
    for (const { name, url, indexes } of natives) {
      await withClient(url, (c) => c.query(LEGACY_SCHEMA_SQL + indexes));
      await withClient(source, (c) => c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [name]));
      await withClient(url, (c) => c.query(`CREATE SUBSCRIPTION ${name} CONNECTION '${conninfo}' PUBLICATION nativo WITH (create_slot = false, slot_name = '${name}', copy_data = true)`));
    }
    for (const { url } of natives) {
      await until('la copia inicial de la suscripción', () => withClient(url, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_subscription_rel WHERE srsubstate <> 'r'")).rows[0].n === 0));
    }

    process.stderr.write('copiar-tablas --follow: copia inicial...\n');
    const reportDir = mkdtempSync(path.join(os.tmpdir(), 'bench-seguir-'));
    const urls = ['--source', withDatabaseName(sourceReached, 'origen'), '--target', withDatabaseName(targetReached, 'destino')];
    follower = startFollower(urls, ['--report-dir', reportDir]);
    const bulkStarted = performance.now();
    await until('la copia inicial de copiar-tablas', () => withClient(source, async (c) => (await c.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'copiar_tablas'")).rows[0]?.active === true), 1_800_000, 200);
    const bulkSeconds = (performance.now() - bulkStarted) / 1000;

    const { users, sessions } = await withClient(source, async (c) => ({
      users: (await c.query("SELECT id FROM users WHERE phone_number LIKE '%9%'")).rows.map((r) => r.id as string),
      sessions: (await c.query('SELECT id FROM sessions')).rows.map((r) => r.id as string),
    }));
    const writer = new Writer(users, sessions);
    const consumers = [...natives.map(({ name, url }) => ({ name, url, table: 'messages' })), { name: 'copiar-tablas', url: target, table: 'mensajes' }];

    // 1. Lag at a steady write rate: a marker every second, timed until each side has it.
    process.stderr.write(`Carga constante: ${args.rate} escrituras/s durante ${args.seconds} s...\n`);
    // Eight sessions: four could not write 2,000 a second on two shared cores.
    const clients = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(async () => {
      const c = new pg.Client({ connectionString: source });
      await c.connect();
      return c;
    }));
    const lags: Record<string, number>[] = [];
    let stop = false;
    const load = (async () => {
      const started = performance.now();
      let due = 0;
      while (!stop) {
        due = Math.floor(((performance.now() - started) / 1000) * args.rate);
        const todo = due - writer.writes;
        if (todo <= 0) await sleep(5);
        else await Promise.all(clients.map(async (c, k) => {
          for (let i = k; i < todo; i += clients.length) await writer.write(c);
        }));
      }
      return { seconds: (performance.now() - started) / 1000 };
    })();
    const loadStarted = performance.now();
    for (let n = 0; performance.now() - loadStarted < args.seconds * 1000; n++) {
      const tick = performance.now();
      lags.push(await markerLag(source, consumers, n));
      await sleep(Math.max(0, 1000 - (performance.now() - tick)));
    }
    stop = true;
    const loadResult = await load;
    const achievedRate = writer.writes / loadResult.seconds;
    const steadyRss = peakRssMb(follower.child);

    // 2. Apply rate: a backlog written while every consumer is stopped, then each applies it alone.
    process.stderr.write(`Atraso de ${args.backlog} escrituras con los consumidores parados...\n`);
    for (const { name, url } of natives) await withClient(url, (c) => c.query(`ALTER SUBSCRIPTION ${name} DISABLE`));
    follower.child.kill('SIGTERM');
    await follower.done;
    await until('las suscripciones paradas', () => withClient(source, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name LIKE 'nativo%' AND active")).rows[0].n === 0));
    const before = writer.writes;
    await Promise.all(clients.map(async (c, k) => {
      for (let i = k; i < args.backlog; i += clients.length) await writer.write(c);
    }));
    const backlogWrites = writer.writes - before;
    const backlogId = 'eeeeeeee-0000-4000-8000-000000000001';
    await clients[0]!.query("INSERT INTO messages (id, user_id, message_type, content) VALUES ($1, $2, 'text', 'fin del atraso')", [backlogId, users[0]]);
    for (const c of clients) await c.end();
    // One consumer at a time, so each has the machine to itself; each from the same start, in turns.
    const setting = { sourceServerUrl: sourceServer.url, targetServerUrl: targetServer.url, sourceUrl: source, lastId: backlogId };
    const replayers = [
      ...(await Promise.all(natives.map(({ name }) => nativeReplayer(setting, name, conninfo, 'nativo')))),
      await followerReplayer(
        setting,
        target,
        () => (follower = startFollower(urls, ['--resume'])),
        (f) => peakRssMb(f.child),
      ),
    ];
    process.stderr.write(`El atraso aplicado ${args.rounds} veces por cada consumidor, por turnos:\n`);
    const replays = await replayRounds(replayers, args.rounds, (line) => process.stderr.write(line));
    for (const replayer of replayers) await replayer.discard();
    const applyRates: Record<string, number> = {};
    const roundRates: Record<string, number[]> = {};
    const cpu: Record<string, ApplyCpu> = {};
    for (const [name, runs] of replays) {
      const median = medianReplay(runs);
      applyRates[name] = backlogWrites / median.seconds;
      roundRates[name] = runs.map((r) => backlogWrites / r.seconds);
      cpu[name] = median.cpu;
    }
    const backlogRss = Math.max(...replays.get('copiar-tablas')!.map((r) => r.rssMb ?? 0));

    // 3. Cutover: writes stopped, the follower stopped (after its last replay), then `cutover` until it drops the slot.
    process.stderr.write('cutover...\n');
    const started = performance.now();
    const cut = startBuiltCli(['cutover', ...urls, '--json']);
    const cutCode = await cut.done;
    const cutOut = cut.output();
    const cutoverSeconds = (performance.now() - started) / 1000;
    if (cutCode !== 0) throw new Error(`cutover terminó con ${cutCode}: ${cutOut}`);
    const cutover = JSON.parse(cutOut.trim().split('\n').pop()!) as { seconds: number; changes: number };

    const lagOf = (name: string): number[] => lags.map((l) => l[name]!).sort((a, b) => a - b);
    const p95 = (values: number[]): number => values[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;
    const rows = consumers.map(({ name }) => {
      const l = lagOf(name);
      const { walsender, applier, sessions } = cpu[name]!;
      return `| ${name} | ${Math.round(applyRates[name]!).toLocaleString('en-US')} | ${walsender.toFixed(1)} / ${applier.toFixed(1)} / ${sessions.toFixed(1)} | ${middle(l).toFixed(2)} / ${p95(l).toFixed(2)} / ${l.at(-1)!.toFixed(2)} |`;
    });
    const ratio = applyRates['copiar-tablas']! / applyRates.nativo!;
    const indexedRatio = applyRates['copiar-tablas']! / applyRates.nativo_indices!;
    process.stdout.write(
      [
        '',
        `${args.rows.toLocaleString('en-US')} mensajes, PostgreSQL ${version}, ${machine()}`,
        ...(args.rttMs > 0 ? [`ida y vuelta a los servidores: ${args.rttMs} ms (proxy de latencia; copiar-tablas, y las suscripciones hacia el origen)`] : []),
        `carga: ${achievedRate.toFixed(0)} escrituras/s logradas (pedidas ${args.rate}) durante ${args.seconds} s; atraso: ${backlogWrites.toLocaleString('en-US')} escrituras`,
        '',
        '| consumidor | aplica (cambios/s) | CPU al aplicar, s (walsender / aplicador / sesiones) | retraso a carga constante, s (mediana / p95 / máx) |',
        '| --- | ---: | ---: | ---: |',
        ...rows,
        '',
        `aplica, cambios/s, por ronda (la tabla da la mediana): ${Object.entries(roundRates).map(([name, rates]) => `${name} ${rates.map((r) => Math.round(r).toLocaleString('en-US')).join(' / ')}`).join('; ')}`,
        '',
        `copiar-tablas / nativo al aplicar: ${ratio.toFixed(2)} × (${indexedRatio.toFixed(2)} × nativo_indices, con los índices secundarios del destino en messages y sessions); copia inicial de --follow ${bulkSeconds.toFixed(1)} s; cutover ${cutoverSeconds.toFixed(1)} s de reloj (${cutover.seconds.toFixed(1)} s según cutover); RSS pico del seguidor ${Math.max(steadyRss, backlogRss).toFixed(0)} MB`,
        '',
      ].join('\n'),
    );
    const resultsDir = path.join(projectRoot(), 'benchmarks/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}-follow-${args.rows}${args.rttMs > 0 ? `-rtt${args.rttMs}` : ''}.json`);
    writeFileSync(
      file,
      JSON.stringify({ postgres: version, machine: machine(), args, achieved_rate: achievedRate, backlog_writes: backlogWrites, apply_rates: applyRates, apply_round_rates: roundRates, apply_rounds: Object.fromEntries(replays), apply_cpu_seconds: cpu, lags, bulk_seconds: bulkSeconds, cutover_seconds: cutoverSeconds, cutover, peak_rss_mb: { steady: steadyRss, backlog: backlogRss } }, null, 2) + '\n',
    );
    process.stdout.write(`Resultados: ${path.relative(process.cwd(), file)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`El benchmark falló: ${(error as Error).message}\n${follower?.output().slice(-2000) ?? ''}\n`);
    return 1;
  } finally {
    follower?.child.kill('SIGKILL');
    for (const proxy of proxies) proxy.stop();
    await sourceServer?.stop().catch(() => undefined);
    await targetServer?.stop().catch(() => undefined);
  }
}
