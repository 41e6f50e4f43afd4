// `npm run bench -- --rows 1000000`: the guide's SQL, a psql pipe, copiar-tablas and the
// servers' floor under its copy, one after the other on the same generated data and the
// same server, in one run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

import { cliNodeArgs, projectRoot } from '../dev/paths.js';
import { createTableSql, indexSql, keySql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';
import { freePort, startEmbedded, withDatabaseName, type EmbeddedServer } from '../dev/embedded.js';
import { generateLegacy } from '../dev/generate-legacy.js';
import { GUIDE_MAPPING_SELECT } from './guide-mapping.js';
import { FLOOR_COPY_OUT, FLOOR_TABLE, FLOOR_TABLE_DDL } from './server-floor.js';
import { startDelayProxy, throughProxy, type DelayProxy } from './delay-proxy.js';
import { followBench } from './follow-bench.js';
import { machine, middle } from './machine.js';

interface Args {
  /** One size, or several for the linearity table (e.g. 1000000,5000000). */
  rows: number[];
  /** Rounds per contender; the table shows each one's median round. */
  repeat: number;
  jobs: number[];
  skip: Set<string>;
  /** copiar-tablas again with --range-rows N: the cost of ranges beside the whole-table copy. */
  rangeRows: number[];
  /** Every contender reaches the server through a delay proxy of this round trip, as a hosted database is reached. */
  rttMs: number;
}

const USAGE = 'use --rows N[,N...] [--repeat 3] [--skip guide,pipe,floor,verify] [--jobs 1,2,4] [--range-rows 4000000] [--rtt-ms 20]';

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: [1_000_000], repeat: 3, jobs: [], skip: new Set(), rangeRows: [], rttMs: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`falta el valor de ${flag}; ${USAGE}`);
    if (flag === '--rows') args.rows = value.split(',').map(Number);
    else if (flag === '--repeat') args.repeat = Number(value);
    else if (flag === '--skip') value.split(',').forEach((s) => args.skip.add(s));
    else if (flag === '--jobs') args.jobs = value.split(',').map(Number);
    else if (flag === '--range-rows') args.rangeRows = value.split(',').map(Number);
    else if (flag === '--rtt-ms') args.rttMs = Number(value);
    else throw new Error(`opción desconocida ${flag}; ${USAGE}`);
    i++;
  }
  for (const n of args.rows) if (!Number.isInteger(n) || n < 1) throw new Error(`--rows debe ser una lista de enteros positivos, se recibió ${n}`);
  for (const n of args.rangeRows) if (!Number.isInteger(n) || n < 1) throw new Error(`--range-rows debe ser una lista de enteros positivos, se recibió ${n}`);
  if (!Number.isInteger(args.rttMs) || args.rttMs < 0) throw new Error(`--rtt-ms debe ser un entero de 0 en adelante, se recibió ${args.rttMs}`);
  if (!Number.isInteger(args.repeat) || args.repeat < 1) throw new Error(`--repeat debe ser un entero positivo, se recibió ${args.repeat}`);
  return args;
}

interface Measure {
  name: string;
  seconds: number;
  copySeconds: number;
  rows: number;
  bytes: number;
  peakRssMb: number | null;
  /** Fastest and slowest round, when repeated. */
  range?: [number, number];
  /** The target table with its indexes, plus copiar-tablas' report folder (rejects), after the run. */
  diskMb: number;
  /** `copiar-tablas verify --table mensajes` right after copiar-tablas' run. */
  verify?: { seconds: number; peakRssMb: number };
  /** copiar-tablas' mensajes after its copy: index builds (with the keys) and ANALYZE, from summary.json. */
  phases?: { indexSeconds: number; analyzeSeconds: number };
  note?: string;
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** mensajes with its indexes, in MB. */
async function tableMb(url: string): Promise<number> {
  return Number((await query(url, "SELECT pg_total_relation_size('mensajes') AS b")).rows[0].b) / 1024 / 1024;
}

function folderMb(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath, entry.name)).size, 0) / 1024 / 1024;
}

/** The server's buffers written and the OS's dirty pages on disk: whatever runs next does not pay for what ran before. */
async function settle(url: string): Promise<void> {
  await query(url, 'CHECKPOINT');
  spawnSync('sync');
}

/** `copiar-tablas verify --table mensajes`: its own count of time and peak memory (verify_done). */
async function verifyMensajes(url: string, runUrl: string): Promise<{ seconds: number; peakRssMb: number }> {
  // The same start as every contender: without it verify paid for the run's writes still
  // in the server's buffers and the OS's dirty pages (20M: 153.55 s in the benchmark,
  // 94.6 s for as many rows on another server after a checkpoint), which the run's own
  // time never counts.
  await settle(url);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [...cliNodeArgs(), 'verify', '--table', 'mensajes', '--json'], { env: { ...process.env, DATABASE_URL: runUrl }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`verify terminó con ${code}: ${out.slice(-500)}`))));
  });
  const done = output.trim().split('\n').map((line) => JSON.parse(line)).find((e) => e.event === 'verify_done');
  return { seconds: done.seconds, peakRssMb: done.peak_rss_mb };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

const TABLE_DDL = createTableSql(mensajes).replace('CREATE TABLE IF NOT EXISTS', 'CREATE TABLE');
const KEYS_AND_INDEXES = [...keySql(mensajes), ...indexSql(mensajes)];

/** 1. The guide: the table and its indexes first, then one INSERT ... SELECT. */
async function guide(url: string, runUrl: string, bytes: number): Promise<Measure> {
  await query(url, 'DROP TABLE IF EXISTS mensajes CASCADE');
  let rows = 0;
  const seconds = await timed(async () => {
    const client = new pg.Client({ connectionString: runUrl });
    await client.connect();
    try {
      await client.query(TABLE_DDL);
      for (const sql of KEYS_AND_INDEXES) await client.query(sql);
      const result = await client.query(`INSERT INTO mensajes ${GUIDE_MAPPING_SELECT}`);
      rows = result.rowCount ?? 0;
      await client.query('ANALYZE mensajes');
    } finally {
      await client.end();
    }
  });
  return { name: 'guía (INSERT … SELECT)', seconds, copySeconds: seconds, rows, bytes, peakRssMb: null, diskMb: await tableMb(url) };
}

function psqlAvailable(): boolean {
  return spawnSync('psql', ['--version']).status === 0;
}

/** `psql -c COPY … TO STDOUT | psql -c COPY … FROM STDIN`: `table` emptied and loaded, frozen, in one transaction. */
function psqlPipe(runUrl: string, copyOut: string, table: string, copyOptions: string): Promise<number> {
  return timed(
    () =>
      new Promise<void>((resolve, reject) => {
        const shell = spawn(
          'bash',
          ['-c', `set -o pipefail; psql "$B_URL" -v ON_ERROR_STOP=1 -qc "$B_OUT" | psql "$B_URL" -v ON_ERROR_STOP=1 -q -c 'SET synchronous_commit = off' -c 'BEGIN' -c "TRUNCATE $B_TABLE" -c "COPY $B_TABLE FROM STDIN WITH ($B_OPTIONS)" -c 'COMMIT'`],
          { env: { ...process.env, B_URL: runUrl, B_OUT: copyOut, B_TABLE: table, B_OPTIONS: copyOptions }, stdio: ['ignore', 'ignore', 'inherit'] },
        );
        shell.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql terminó con ${code}`))));
      }),
  );
}

/** 2. A hand-tuned psql pipe: COPY FREEZE into a bare table, then the keys and indexes. */
async function pipe(url: string, runUrl: string, bytes: number): Promise<Measure> {
  await query(url, 'DROP TABLE IF EXISTS mensajes CASCADE');
  await query(url, TABLE_DDL);
  const copySeconds = await psqlPipe(runUrl, `COPY (${GUIDE_MAPPING_SELECT}) TO STDOUT`, 'mensajes', 'FREEZE');
  const indexSeconds = await timed(async () => {
    const client = new pg.Client({ connectionString: runUrl });
    await client.connect();
    try {
      for (const sql of KEYS_AND_INDEXES) await client.query(sql);
      await client.query('ANALYZE mensajes');
    } finally {
      await client.end();
    }
  });
  const rows = Number((await query(url, 'SELECT count(*) AS n FROM mensajes')).rows[0].n);
  return { name: 'psql → psql (COPY FREEZE)', seconds: copySeconds + indexSeconds, copySeconds, rows, bytes, peakRssMb: null, diskMb: await tableMb(url) };
}

const FLOOR_NAME = 'suelo: filas de copiar-tablas, solo COPY';

/** The servers' floor (server-floor.ts): copiar-tablas' own rows again, binary at both ends, nothing in between. */
async function floor(url: string, runUrl: string, bytes: number): Promise<Measure> {
  await query(url, `DROP TABLE IF EXISTS ${FLOOR_TABLE}`);
  await query(url, FLOOR_TABLE_DDL);
  try {
    const copySeconds = await psqlPipe(runUrl, FLOOR_COPY_OUT, FLOOR_TABLE, 'FORMAT binary, FREEZE');
    const rows = Number((await query(url, `SELECT count(*) AS n FROM ${FLOOR_TABLE}`)).rows[0].n);
    return { name: FLOOR_NAME, seconds: copySeconds, copySeconds, rows, bytes, peakRssMb: null, diskMb: 0 };
  } finally {
    await query(url, `DROP TABLE IF EXISTS ${FLOOR_TABLE}`);
  }
}

/** 3. The real CLI, as an operator runs it; `allTables` runs the whole migration. */
async function copiarTablas(url: string, runUrl: string, bytes: number, jobs = 1, extra: string[] = [], allTables = false, verify = false): Promise<Measure> {
  if (!allTables) await query(url, 'DROP TABLE IF EXISTS mensajes CASCADE');
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'bench-informe-'));
  const seconds = await timed(
    () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [...cliNodeArgs(), ...(allTables ? [] : ['--table', 'mensajes']), '--quiet', '--jobs', String(jobs), '--report-dir', reportDir, ...extra], {
          env: { ...process.env, DATABASE_URL: runUrl },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`copiar-tablas terminó con ${code}`))));
      }),
  );
  const summary = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));
  const tables = Object.values(summary.tables) as { copy_seconds: number; written: number }[];
  const copySeconds = allTables ? tables.reduce((sum, t) => sum + t.copy_seconds, 0) : summary.tables.mensajes.copy_seconds;
  const rows = allTables ? tables.reduce((sum, t) => sum + t.written, 0) : summary.tables.mensajes.written;
  const name = `copiar-tablas ${allTables ? 'las nueve tablas' : ''}${jobs > 1 || allTables ? ` --jobs ${jobs}` : ''}${extra.length ? ' ' + extra.join(' ') : ''}`.replace(/\s+/g, ' ').trim();
  const diskMb = (allTables ? 0 : await tableMb(url)) + folderMb(reportDir);
  const phases = allTables ? undefined : { indexSeconds: summary.tables.mensajes.index_seconds as number, analyzeSeconds: summary.tables.mensajes.analyze_seconds as number };
  return { name, seconds, copySeconds, rows, bytes, peakRssMb: summary.peak_rss_mb ?? null, diskMb, ...(phases ? { phases } : {}), ...(verify ? { verify: await verifyMensajes(url, runUrl) } : {}) };
}

function table(measures: Measure[]): string {
  const guideM = measures.find((m) => m.name.startsWith('guía'));
  const pipeM = measures.find((m) => m.name.startsWith('psql'));
  const header = ['contendiente', 'segundos', 'rondas s', 'copia s', 'filas/s', 'MB/s', 'RSS pico MB', 'disco MB', '× guía', '× pipe', '× pipe (copia)'];
  const rows = measures.map((m) => [
    m.name,
    m.seconds.toFixed(2),
    m.range ? `${m.range[0].toFixed(1)}–${m.range[1].toFixed(1)}` : '-',
    m.copySeconds.toFixed(2),
    Math.round(m.rows / m.seconds).toLocaleString('en-US'),
    (m.bytes / 1024 / 1024 / m.seconds).toFixed(1),
    m.peakRssMb === null ? '-' : m.peakRssMb.toFixed(0),
    m.diskMb > 0 ? m.diskMb.toFixed(0) : '-',
    // The floor has no index phase: only its copy compares.
    guideM && m.name !== FLOOR_NAME ? (m.seconds / guideM.seconds).toFixed(2) : '-',
    pipeM && m.name !== FLOOR_NAME ? (m.seconds / pipeM.seconds).toFixed(2) : '-',
    pipeM ? (m.copySeconds / pipeM.copySeconds).toFixed(2) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const verified = measures
    .filter((m) => m.verify !== undefined)
    .map((m) => `\nverify --table mensajes: ${m.verify!.seconds.toFixed(2)} s, ${(m.verify!.seconds / m.seconds).toFixed(2)} × la ejecución de copiar-tablas (${m.seconds.toFixed(2)} s); RSS pico ${m.verify!.peakRssMb.toFixed(0)} MB`);
  const phased = measures
    .filter((m) => m.phases !== undefined)
    .map((m) => `\n${m.name}: copia ${m.copySeconds.toFixed(2)} s, índices y claves ${m.phases!.indexSeconds.toFixed(2)} s, ANALYZE ${m.phases!.analyzeSeconds.toFixed(2)} s, lo demás ${(m.seconds - m.copySeconds - m.phases!.indexSeconds - m.phases!.analyzeSeconds).toFixed(2)} s`);
  return [line(header), '| ' + widths.map((w, i) => (i === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |', ...rows.map(line), ...phased, ...verified].join('\n');
}

/**
 * What the floor allows against the pipe, round by round (a median of each column would
 * mix rounds): copiar-tablas with a copy as fast as the floor's and everything else as it
 * was (its index phase, ANALYZE, its start), against that round's pipe.
 */
function floorBound(rounds: Measure[]): string {
  const of = (pick: (m: Measure) => boolean): Measure[] => rounds.filter(pick);
  const floors = of((m) => m.name === FLOOR_NAME);
  const pipes = of((m) => m.name.startsWith('psql'));
  const runs = of((m) => m.name === 'copiar-tablas');
  if (floors.length === 0 || floors.length !== pipes.length || floors.length !== runs.length) return '';
  const perRound = floors.map((floorM, i) => ({
    copyOverFloor: runs[i]!.copySeconds / floorM.copySeconds,
    bound: (floorM.copySeconds + runs[i]!.seconds - runs[i]!.copySeconds) / pipes[i]!.seconds,
    actual: runs[i]!.seconds / pipes[i]!.seconds,
  }));
  const list = (pick: (r: (typeof perRound)[number]) => number): string => perRound.map((r) => pick(r).toFixed(2)).join(', ');
  return `\nsuelo de los servidores, ronda a ronda: la copia de copiar-tablas ${list((r) => r.copyOverFloor)} × la del suelo; copiar-tablas ${list((r) => r.actual)} × la tubería, y con una copia como la del suelo ${list((r) => r.bound)} ×\n`;
}

/** Medians of the rounds (total and copy time apart), their spread, and the highest RSS. */
function median(rounds: Measure[]): Measure {
  const seconds = rounds.map((m) => m.seconds);
  const rss = rounds.map((m) => m.peakRssMb).filter((v): v is number => v !== null);
  return {
    ...rounds[0]!,
    seconds: middle(seconds),
    copySeconds: middle(rounds.map((m) => m.copySeconds)),
    peakRssMb: rss.length > 0 ? Math.max(...rss) : null,
    range: [Math.min(...seconds), Math.max(...seconds)],
    ...(rounds[0]!.phases !== undefined
      ? { phases: { indexSeconds: middle(rounds.map((m) => m.phases!.indexSeconds)), analyzeSeconds: middle(rounds.map((m) => m.phases!.analyzeSeconds)) } }
      : {}),
    ...(rounds[0]!.verify !== undefined
      ? { verify: { seconds: middle(rounds.map((m) => m.verify!.seconds)), peakRssMb: Math.max(...rounds.map((m) => m.verify!.peakRssMb)) } }
      : {}),
  };
}

/** Contender by contender, how time grows from the smallest size to each larger one. */
function linearity(sizes: { rows: number; measures: Measure[] }[]): string {
  const [first, ...rest] = sizes;
  const lines = ['| contendiente | ' + rest.map((s) => `t(${s.rows.toLocaleString('en-US')}) / t(${first!.rows.toLocaleString('en-US')})`).join(' | ') + ' | filas × |', '| --- |' + rest.map(() => ' ---: |').join('') + ' ---: |'];
  for (const m of first!.measures) {
    const ratios = rest.map((s) => {
      const other = s.measures.find((o) => o.name === m.name);
      return other ? (other.seconds / m.seconds).toFixed(2) : '-';
    });
    lines.push(`| ${m.name} | ${ratios.join(' | ')} | ${rest.map((s) => (s.rows / first!.rows).toFixed(1)).join(', ')} |`);
  }
  return lines.join('\n');
}

if (process.argv.includes('--follow')) {
  process.exitCode = await followBench(process.argv.slice(2).filter((a) => a !== '--follow'));
  process.exit();
}
const args = parseArgs(process.argv.slice(2));
let server: EmbeddedServer | undefined;
let proxy: DelayProxy | undefined;
const cleanup = async (): Promise<void> => {
  proxy?.stop();
  await server?.stop().catch(() => undefined);
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));
try {
  let baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) {
    // Stock durability settings: the tool sets what it needs on its own sessions.
    server = await startEmbedded({ flags: ['-c', 'max_wal_size=4GB', '-c', 'maintenance_work_mem=256MB'] });
    baseUrl = server.url;
  }
  const version = (await query(baseUrl, 'SHOW server_version')).rows[0].server_version as string;
  const sizes: { rows: number; bytes: number; measures: Measure[]; rounds: Measure[] }[] = [];
  for (const rowCount of args.rows) {
    const database = `bench_${Date.now()}`;
    await query(baseUrl, `CREATE DATABASE ${database}`);
    const url = withDatabaseName(baseUrl, database);
    process.stderr.write(`Generando ${rowCount.toLocaleString('en-US')} mensajes en PostgreSQL ${version}...\n`);
    const genSeconds = await timed(async () => {
      await generateLegacy(url, { messages: rowCount });
      // A production source was vacuumed long ago. A table just generated is not: its
      // first autovacuum (every page of `messages` read, frozen and written again, 20M rows:
      // minutes) ran beside the first contender, who also set its hint bits for everyone after.
      await query(url, 'VACUUM (FREEZE, ANALYZE)');
    });
    const bytes = Number((await query(url, "SELECT pg_total_relation_size('messages') AS b")).rows[0].b);
    process.stderr.write(`Datos listos en ${genSeconds.toFixed(1)} s (messages: ${(bytes / 1024 / 1024).toFixed(0)} MB en disco)\n`);

    // The contenders reach the server as an operator reaches a hosted one (--rtt-ms); the
    // benchmark's own setup and measures go straight to it.
    proxy = args.rttMs > 0 ? await startDelayProxy(await freePort(), Number(new URL(url).port || 5432), args.rttMs) : undefined;
    const runUrl = proxy ? throughProxy(url, proxy) : url;
    const contenders: { label: string; fn: () => Promise<Measure> }[] = [];
    if (!args.skip.has('guide')) contenders.push({ label: 'guía', fn: () => guide(url, runUrl, bytes) });
    if (!args.skip.has('pipe')) {
      if (psqlAvailable()) contenders.push({ label: 'psql → psql', fn: () => pipe(url, runUrl, bytes) });
      else process.stderr.write('psql no está instalado: se omite la tubería psql | psql\n');
    }
    contenders.push({ label: 'copiar-tablas', fn: () => copiarTablas(url, runUrl, bytes, 1, [], false, !args.skip.has('verify')) });
    // Right after copiar-tablas: the floor copies the rows it has just written.
    if (!args.skip.has('floor') && psqlAvailable()) contenders.push({ label: 'suelo', fn: () => floor(url, runUrl, bytes) });
    for (const n of args.rangeRows) contenders.push({ label: `copiar-tablas --range-rows ${n}`, fn: () => copiarTablas(url, runUrl, bytes, 1, ['--range-rows', String(n)], false) });
    // --jobs runs independent tables side by side: measured on the whole migration.
    for (const jobs of args.jobs) contenders.push({ label: `las nueve tablas --jobs ${jobs}`, fn: () => copiarTablas(url, runUrl, bytes, jobs, [], true) });

    // Rounds interleave the contenders, so a slow spell of the machine hits them alike.
    const rounds: Measure[] = [];
    for (let round = 1; round <= args.repeat; round++) {
      for (const { label, fn } of contenders) {
        await settle(url);
        process.stderr.write(`${label} (ronda ${round}/${args.repeat})...\n`);
        const m = await fn();
        process.stderr.write(`  ${m.seconds.toFixed(2)} s, ${m.rows} filas\n`);
        rounds.push(m);
      }
    }
    const names = [...new Set(rounds.map((m) => m.name))];
    const measures = names.map((name) => median(rounds.filter((m) => m.name === name)));
    sizes.push({ rows: rowCount, bytes, measures, rounds });
    const spread = args.repeat > 1 ? `, mediana de ${args.repeat} rondas` : '';
    const away = args.rttMs > 0 ? `, servidor a ${args.rttMs} ms de ida y vuelta (proxy de latencia)` : '';
    process.stdout.write(`\n${rowCount.toLocaleString('en-US')} mensajes, PostgreSQL ${version}, ${machine()}${away}${spread}\n\n${table(measures)}\n${floorBound(rounds)}`);
    proxy?.stop();
    proxy = undefined;
    await query(baseUrl, `DROP DATABASE ${database} WITH (FORCE)`);
  }
  if (sizes.length > 1) process.stdout.write(`\nCrecimiento del tiempo total con las filas:\n\n${linearity(sizes)}\n`);

  const resultsDir = path.join(projectRoot(), 'benchmarks/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${args.rows.join('-')}${args.rttMs > 0 ? `-rtt${args.rttMs}` : ''}.json`);
  writeFileSync(file, JSON.stringify({ postgres: version, machine: machine(), repeat: args.repeat, ...(args.rttMs > 0 ? { rtt_ms: args.rttMs } : {}), sizes }, null, 2) + '\n');
  process.stdout.write(`\nResultados: ${path.relative(process.cwd(), file)}\n`);
} catch (error) {
  process.stderr.write(`El benchmark falló: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
