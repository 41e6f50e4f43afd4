// `npm run demo`: an embedded PostgreSQL, a generated dirty legacy database, the full
// migration with progress and summary, and a clean shutdown (Ctrl-C included).
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startBufferCollector } from '../lib/cli/buffer-collector.js';
import { main } from '../lib/cli/main.js';
import { TABLES } from '../transforms/index.js';
import { THROWAWAY_FLAGS, startEmbedded, withDatabaseName, type EmbeddedServer } from './embedded.js';
import { generateLegacy } from './generate-legacy.js';

const rowsFlag = process.argv.indexOf('--rows');
const messages = rowsFlag >= 0 ? Number(process.argv[rowsFlag + 1]) : 20_000;
if (!Number.isInteger(messages) || messages < 1) {
  process.stderr.write(`--rows debe ser un entero positivo, se recibió ${process.argv[rowsFlag + 1]}\n`);
  process.exit(2);
}

let server: EmbeddedServer | undefined;
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    process.stderr.write('Deteniendo PostgreSQL embebido...\n');
    await server?.stop().catch(() => undefined);
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

try {
  process.stderr.write('Iniciando PostgreSQL embebido...\n');
  server = await startEmbedded({ flags: THROWAWAY_FLAGS });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE app');
  await admin.end();
  const url = withDatabaseName(server.url, 'app');

  const started = performance.now();
  process.stderr.write(`Generando la base heredada (${messages} mensajes)...\n`);
  await generateLegacy(url, { messages, onTable: (table, rows) => process.stderr.write(`  ${table}: ${rows} filas\n`) });
  process.stderr.write(`Base heredada lista en ${((performance.now() - started) / 1000).toFixed(1)} s\n\n`);

  // The real CLI, as an operator runs it with DATABASE_URL (the guide's same-database setup),
  // with its buffer collector (npm run demo passes the shebang's flags).
  startBufferCollector();
  const code = await main({ argv: process.argv.slice(2).filter((a, i, all) => a !== '--rows' && all[i - 1] !== '--rows'), env: { ...process.env, DATABASE_URL: url }, stdout: process.stdout, stderr: process.stderr }, TABLES);
  await shutdown(code);
} catch (error) {
  process.stderr.write(`La demostración falló: ${(error as Error).message}\n`);
  await shutdown(1);
}
