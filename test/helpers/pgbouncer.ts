import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../dev/embedded.js';
import { serverUrl } from './database.js';

const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => spawnSync(p, ['--version']).status === 0);

/** Why the PgBouncer tests cannot run here, or null when they can. */
export const pgbouncerMissing = BINARY === undefined ? 'pgbouncer no está instalado (paquete pgbouncer de Debian)' : null;

export interface PgBouncer {
  /** `url` with its host and port replaced by the pooler's. */
  through(url: string): string;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A real PgBouncer on a free port in front of the test server, in the given pool mode. */
export async function startPgBouncer(t: Teardown, mode: 'transaction' | 'session'): Promise<PgBouncer> {
  const server = new URL(serverUrl());
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'pgbouncer-'));
  // PgBouncer refuses to run as root and drops to `postgres`, who must read its file.
  chmodSync(dir, 0o755);
  const ini = path.join(dir, 'pgbouncer.ini');
  const credentials = `user=${decodeURIComponent(server.username)}${server.password ? ` password=${decodeURIComponent(server.password)}` : ''}`;
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432} ${credentials}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      `pool_mode = ${mode}`,
      'default_pool_size = 4',
      'max_client_conn = 100',
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(BINARY!, [...(asRoot ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  t.teardown(stop);
  const deadline = Date.now() + 10_000;
  while (!/listening on 127\.0\.0\.1:\d+/.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`PgBouncer no arrancó: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    through(url: string): string {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    stop,
  };
}
