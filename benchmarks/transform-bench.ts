// `npm run bench:transform -- --rows 1000000`: the mensajes Transform alone, in memory, on
// one core, over a captured COPY stream of the real SELECT; beside it, a pass-through
// Transform (the floor) and a naive per-row split('\t') transform (what not to do).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { projectRoot } from '../dev/paths.js';
import { preparedJoinSql } from '../lib/lookups/prepared-join.js';
import { copyOutSql } from '../lib/table-spec/copy-sql.js';
import { sourceFields } from '../lib/table-spec/field-order.js';
import { RejectFile } from '../lib/rejects/reject-file.js';
import { binaryColumns } from '../lib/engine/binary-row-writer.js';
import { binarySourceTypes } from '../lib/load/binary-source.js';
import type { SourceType } from '../lib/pg/copy-binary-in.js';
import { TableTransform, type TableTransformOptions } from '../lib/engine/table-transform.js';
import { mensajes } from '../transforms/mensajes.js';
import { startEmbedded, withDatabaseName } from '../dev/embedded.js';
import { generateLegacy } from '../dev/generate-legacy.js';

const rowsIndex = process.argv.indexOf('--rows');
const rows = rowsIndex >= 0 ? Number(process.argv[rowsIndex + 1]) : 1_000_000;
// The capture follows the SELECT's field order: a new order means a new capture.
const order = createHash('sha1').update(sourceFields(mensajes).join(',')).digest('hex').slice(0, 8);
const captured = path.join(projectRoot(), 'benchmarks/captured', `mensajes-${rows}-${order}.copy`);
// The same rows as COPY binary, as the bulk copy reads them, with the type of each field.
const capturedBinary = captured.replace(/\.copy$/, '.copybin');
const capturedTypes = captured.replace(/\.copy$/, '.types.json');

async function capture(): Promise<void> {
  process.stderr.write(`Capturando el COPY de mensajes (${rows} filas)...\n`);
  const server = await startEmbedded();
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE captura');
    await admin.end();
    const url = withDatabaseName(server.url, 'captura');
    await generateLegacy(url, { messages: rows });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const preparedJoin = await preparedJoinSql(mensajes, client);
    const copy = async (binary: boolean): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      await pipeline(client.query(copyTo(copyOutSql(mensajes, { preparedJoin, binary }))), new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
      return Buffer.concat(chunks);
    };
    mkdirSync(path.dirname(captured), { recursive: true });
    writeFileSync(captured, await copy(false));
    writeFileSync(capturedBinary, await copy(true));
    writeFileSync(capturedTypes, JSON.stringify(await binarySourceTypes(client, mensajes)));
    await client.end();
  } finally {
    await server.stop();
  }
}

/** The naive approach: decode every row to a string, split, rebuild. */
class NaiveSplit extends Transform {
  private rest = '';
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    const lines = (this.rest + chunk.toString('utf8')).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) this.push(line.split('\t').join('\t') + '\n');
    cb();
  }
}

// Contenders run one after the other, each alone (interleaving them left the naive one's
// garbage to the next): the best of ROUNDS rounds.
const ROUNDS = 5;

interface Contender {
  transform: Transform;
  /** Work the contender leaves for after the stream (the reject file's close). */
  close?: () => Promise<void>;
}

async function time(label: string, make: () => Contender, input: Buffer): Promise<{ label: string; seconds: number; closeSeconds: number | null; mbPerSecond: number }> {
  // 64 KiB chunks, the size a socket read typically hands to the COPY TO reader.
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += 65536) chunks.push(input.subarray(i, i + 65536));
  let best = Infinity;
  let bestClose: number | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    const contender = make();
    const started = performance.now();
    await pipeline(Readable.from(chunks), contender.transform, new Writable({ write: (_c, _e, cb) => cb() }));
    const seconds = (performance.now() - started) / 1000;
    const closeStarted = performance.now();
    await contender.close?.();
    if (seconds < best) {
      best = seconds;
      bestClose = contender.close ? (performance.now() - closeStarted) / 1000 : null;
    }
  }
  return { label, seconds: best, closeSeconds: bestClose, mbPerSecond: input.length / 1024 / 1024 / best };
}

/** The real reject file, in a scratch report directory. */
function withRejectFile(options: Partial<TableTransformOptions> = {}): Contender {
  const reportDir = mkdtempSync(path.join(tmpdir(), 'transform-bench-'));
  const rejects = new RejectFile(reportDir, mensajes);
  return {
    transform: new TableTransform({ spec: mensajes, rejects, ...options }),
    close: async () => {
      await rejects.close();
      rmSync(reportDir, { recursive: true });
    },
  };
}

if (!existsSync(captured) || !existsSync(capturedBinary) || !existsSync(capturedTypes)) await capture();
const input = readFileSync(captured);
const binaryInput = readFileSync(capturedBinary);
const binaryTypes = JSON.parse(readFileSync(capturedTypes, 'utf8')) as SourceType[];
const results = [
  await time('pass-through (suelo)', () => ({ transform: new PassThrough() }), input),
  await time('split por fila (ingenuo)', () => ({ transform: new NaiveSplit() }), input),
  await time('TableTransform mensajes, rechazos descartados', () => ({ transform: new TableTransform({ spec: mensajes, rejects: { write: () => undefined, ready: () => null } }) }), input),
  await time('TableTransform mensajes, rechazos al fichero', () => withRejectFile(), input),
  // What the bulk copy sends the target: the same rows as COPY binary.
  await time('TableTransform mensajes, binario, rechazos descartados', () => ({ transform: new TableTransform({ spec: mensajes, binary: binaryColumns(mensajes)!, rejects: { write: () => undefined, ready: () => null } }) }), input),
  // The bulk copy as it runs now: COPY binary in (its own capture, fewer bytes) and out.
  await time(
    'TableTransform mensajes, binario desde binario, rechazos descartados',
    () => ({ transform: new TableTransform({ spec: mensajes, binary: binaryColumns(mensajes)!, binaryInput: binaryTypes, rejects: { write: () => undefined, ready: () => null } }) }),
    binaryInput,
  ),
  await time(
    'TableTransform mensajes, binario desde binario, rechazos al fichero',
    () => withRejectFile({ binary: binaryColumns(mensajes)!, binaryInput: binaryTypes }),
    binaryInput,
  ),
];
process.stdout.write(`\n${(input.length / 1024 / 1024).toFixed(0)} MB de COPY (${rows} filas), un núcleo, el mejor de ${ROUNDS}:\n\n`);
process.stdout.write('| transform | segundos | MB/s | cierre del fichero de rechazos, s |\n| --- | ---: | ---: | ---: |\n');
for (const r of results) process.stdout.write(`| ${r.label} | ${r.seconds.toFixed(3)} | ${r.mbPerSecond.toFixed(0)} | ${r.closeSeconds === null ? '-' : r.closeSeconds.toFixed(3)} |\n`);
