import { startEmbedded, THROWAWAY_FLAGS } from '/work/main/dist/scripts/embedded.js';
import { generateLegacy } from '/work/main/dist/benchmarks/generate.js';
import { withDatabaseName } from '/work/main/dist/lib/connection.js';
import pg from 'pg';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const server = await startEmbedded({ flags: ['-c', 'max_wal_size=4GB'] });
const a = new pg.Client({ connectionString: server.url }); await a.connect(); await a.query('CREATE DATABASE b'); await a.end();
const url = withDatabaseName(server.url, 'b');
await generateLegacy(url, { messages: 5000000 });
const c = new pg.Client({ connectionString: url }); await c.connect(); await c.query('ANALYZE'); await c.end();
for (const flags of [[], ['--max-old-space-size=128', '--max-semi-space-size=8'], []]) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e s %M KB', process.execPath, ...flags, '/work/main/dist/bin/copiar-tablas.js', '--table', 'mensajes', '--quiet', '--report-dir', '/tmp/rss5m'], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
  const s = JSON.parse(readFileSync('/tmp/rss5m/summary.json', 'utf8'));
  console.log(JSON.stringify(flags), r.stderr.trim(), 'copy', s.tables.mensajes.copy_seconds, 'chunks', s.tables.mensajes.chunks);
}
await server.stop();
