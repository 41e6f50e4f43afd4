// The same backlog applied again and again by each consumer, from the same starting point:
// rounds alternate the consumers, so a machine that changes speed during the benchmark (a
// shared host: the same apply took 10.0 CPU-seconds in one run and 12.8 in the next) weighs
// on all of them alike, and the median of the rounds is reported.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { withDatabaseName } from '../dev/embedded.js';
import { withClient } from '../dev/with-client.js';

/** A consumer's CPU seconds over the backlog, by process. */
export interface ApplyCpu {
  /** The walsender that decodes the stream for it. */
  walsender: number;
  /** A subscription's apply worker, or the follower's own process. */
  applier: number;
  /** The follower's sessions on the server (source and target). */
  sessions: number;
}

export interface Replayed {
  seconds: number;
  cpu: ApplyCpu;
  /** The follower's peak RSS, MB. */
  rssMb?: number;
}

/** A consumer stopped before the backlog, able to apply it again from there. */
export interface Replayer {
  name: string;
  replay(): Promise<Replayed>;
  /** Drops what the saved start keeps (its slot retains WAL). */
  discard(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what: string, check: () => Promise<boolean>, ms = 600_000, every = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`no llegó a tiempo: ${what}`);
    await sleep(every);
  }
}

/**
 * Waits until `table` holds the row `id`, asking on one session every 10 ms: a new session
 * per question (SCRAM and a backend started each time, ~8 ms of this machine's two cores)
 * took CPU from the consumer being timed.
 */
export async function untilRow(url: string, table: string, id: string, what: string, ms?: number): Promise<void> {
  await withClient(url, (c) => until(what, async () => (await c.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rows.length > 0, ms, 10));
}

/** CPU seconds a local process has used (user + system), from /proc: 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Read as the consumer's last change lands. Every process counted started with this apply
 * (a subscription created, the follower started), so its whole CPU time is the apply's:
 * the apply rate alone does not say whether a consumer waits or works.
 */
export async function applyCpu(setting: ReplaySetting, name: string, extraPids: number[] = []): Promise<ApplyCpu> {
  const pids = (url: string, sql: string): Promise<number[]> => withClient(url, async (c) => (await c.query(sql, [name])).rows.map((r) => r.pid as number));
  const sessions = "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend'";
  const walsenders = await pids(setting.sourceServerUrl, 'SELECT pid FROM pg_stat_replication WHERE application_name = $1');
  const workers = await pids(setting.targetServerUrl, 'SELECT pid FROM pg_stat_subscription WHERE subname = $1 AND pid IS NOT NULL');
  const clients = [...(await pids(setting.sourceServerUrl, sessions)), ...(await pids(setting.targetServerUrl, sessions))];
  const sum = (list: number[]): number => list.reduce((total, pid) => total + cpuSeconds(pid), 0);
  return { walsender: sum(walsenders), applier: sum([...workers, ...extraPids]), sessions: sum(clients) };
}

/** A consumer's start, kept: its database as a template, its slot as a copy. */
interface SavedStart {
  database: string;
  slot: string;
}

/** Waits until no walsender streams from `slot` (a slot that is gone is free too). */
async function untilSlotFree(sourceUrl: string, slot: string): Promise<void> {
  await until(`la ranura ${slot} libre`, () => withClient(sourceUrl, async (c) => (await c.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active !== true));
}

async function saveStart({ sourceUrl, targetServerUrl }: ReplaySetting, database: string, slot: string): Promise<SavedStart> {
  const saved = { database: `${database}_inicio`, slot: `${slot}_inicio` };
  await untilSlotFree(sourceUrl, slot);
  await withClient(sourceUrl, (c) => c.query('SELECT pg_copy_logical_replication_slot($1, $2)', [slot, saved.slot]));
  await withClient(targetServerUrl, (c) => c.query(`CREATE DATABASE ${saved.database} TEMPLATE ${database} STRATEGY FILE_COPY`));
  return saved;
}

/** Puts `database` and `slot` back where the saved start has them, whatever a replay left. */
async function restoreStart({ sourceUrl, targetServerUrl }: ReplaySetting, saved: SavedStart, database: string, slot: string): Promise<void> {
  await untilSlotFree(sourceUrl, slot);
  await dropSlot(sourceUrl, slot);
  await withClient(sourceUrl, (c) => c.query('SELECT pg_copy_logical_replication_slot($1, $2)', [saved.slot, slot]));
  await withClient(targetServerUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database}`);
    await c.query(`CREATE DATABASE ${database} TEMPLATE ${saved.database} STRATEGY FILE_COPY`);
  });
}

async function dropSlot(sourceUrl: string, slot: string): Promise<void> {
  await withClient(sourceUrl, (c) => c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]));
}

export interface ReplaySetting {
  /** The source's server (its walsenders) and the targets' (subscriptions, target databases). */
  sourceServerUrl: string;
  targetServerUrl: string;
  sourceUrl: string;
  /** The backlog's last row, in `messages` (source and native copies) and `mensajes`. */
  lastId: string;
}

/**
 * A native subscription, disabled before the backlog: each replay creates its database from
 * the saved one and a subscription on a copy of the saved slot (no initial copy), timed from
 * the CREATE SUBSCRIPTION until the backlog's last row is there.
 */
export async function nativeReplayer(setting: ReplaySetting, name: string, conninfo: string, publication: string): Promise<Replayer> {
  const { targetServerUrl, sourceUrl, lastId } = setting;
  const saved = await saveStart(setting, name, name);
  const replica = `${name}_repeticion`;
  return {
    name,
    async replay() {
      await restoreStart(setting, saved, replica, replica);
      const url = withDatabaseName(targetServerUrl, replica);
      const started = performance.now();
      await withClient(url, (c) => c.query(`CREATE SUBSCRIPTION ${replica} CONNECTION '${conninfo}' PUBLICATION ${publication} WITH (create_slot = false, slot_name = '${replica}', copy_data = false)`));
      await untilRow(url, 'messages', lastId, `el atraso en ${name}`);
      const seconds = (performance.now() - started) / 1000;
      const cpu = await applyCpu(setting, replica);
      // Drops the slot copy too.
      await withClient(url, (c) => c.query(`DROP SUBSCRIPTION ${replica}`));
      return { seconds, cpu };
    },
    async discard() {
      await dropSlot(sourceUrl, saved.slot);
    },
  };
}

export interface Follower {
  child: { pid?: number; kill(signal: NodeJS.Signals): boolean };
  done: Promise<number | null>;
}

/**
 * copiar-tablas stopped before the backlog: each replay restores the target database and
 * the slot, then runs `--follow --resume` until the backlog's last row is in `mensajes`,
 * and stops it (SIGTERM). The last replay leaves target and slot where a follower that
 * applied the backlog once leaves them.
 */
export async function followerReplayer<F extends Follower>(setting: ReplaySetting, target: string, start: () => F, peakRssMb: (follower: F) => number): Promise<Replayer> {
  const { sourceUrl, lastId } = setting;
  const database = decodeURIComponent(new URL(target).pathname.slice(1));
  const saved = await saveStart(setting, database, 'copiar_tablas');
  return {
    name: 'copiar-tablas',
    async replay() {
      await restoreStart(setting, saved, database, 'copiar_tablas');
      const started = performance.now();
      const follower = start();
      await untilRow(target, 'mensajes', lastId, 'el atraso en copiar-tablas');
      const seconds = (performance.now() - started) / 1000;
      const cpu = await applyCpu(setting, 'copiar-tablas', [follower.child.pid!]);
      const rssMb = peakRssMb(follower);
      follower.child.kill('SIGTERM');
      await follower.done;
      return { seconds, cpu, rssMb };
    },
    async discard() {
      await dropSlot(sourceUrl, saved.slot);
    },
  };
}

/** Rounds of one replay per consumer, the order turned each round so that none always goes first. */
export async function replayRounds(replayers: readonly Replayer[], rounds: number, log: (line: string) => void): Promise<Map<string, Replayed[]>> {
  const results = new Map<string, Replayed[]>(replayers.map((r) => [r.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = replayers.map((_, i) => replayers[(i + round) % replayers.length]!);
    // copiar-tablas' last replay is the one the cutover continues from.
    if (round === rounds - 1) order.sort((a, b) => Number(a.name === 'copiar-tablas') - Number(b.name === 'copiar-tablas'));
    for (const replayer of order) {
      const replayed = await replayer.replay();
      results.get(replayer.name)!.push(replayed);
      log(`  ronda ${round + 1}: ${replayer.name} ${replayed.seconds.toFixed(2)} s\n`);
    }
  }
  return results;
}

/** The replay of median time (the lower middle of an even count). */
export function medianReplay(replays: readonly Replayed[]): Replayed {
  const sorted = [...replays].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
