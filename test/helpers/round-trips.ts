import net from 'node:net';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** One client connection as the proxy saw it. */
export interface SeenConnection {
  /** The database named in the startup message. */
  database: string;
  /**
   * Round trips: messages after which the client waits for the server's ReadyForQuery,
   * a simple Query ('Q', one or many statements) or an extended query's Sync ('S').
   */
  trips: number;
  /** The SQL of each simple query and each Parse, in order. */
  statements: string[];
}

export interface TripCounter {
  port: number;
  /** Every connection so far, in the order they were opened. */
  connections: SeenConnection[];
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/**
 * Reads the frontend's side of the protocol from the chunks as they come, cut anywhere:
 * the startup packet (no type byte), then typed messages of 1 + 4 + n bytes.
 */
function frontendReader(seen: SeenConnection): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (!started) {
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        const code = pending.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSS_REQUEST) {
          const fields = pending.subarray(8, length - 1).toString('utf8').split('\0');
          seen.database = fields[fields.indexOf('database') + 1] ?? '';
          started = true;
        }
        pending = pending.subarray(length);
        continue;
      }
      if (pending.length < 5) return;
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return;
      const type = String.fromCharCode(pending[0]!);
      if (type === 'Q' || type === 'S') seen.trips++;
      if (type === 'Q') seen.statements.push(pending.subarray(5, length).toString('utf8'));
      if (type === 'P') {
        // Parse: the statement's name, then its SQL, each ending in a zero byte.
        const nameEnd = pending.indexOf(0, 5);
        seen.statements.push(pending.subarray(nameEnd + 1, pending.indexOf(0, nameEnd + 1)).toString('utf8'));
      }
      pending = pending.subarray(1 + length);
    }
  };
}

/**
 * A TCP proxy in front of a PostgreSQL server (in clear: the test's own server) that
 * counts each connection's round trips, what a hosted server a network away charges
 * for. Closed with the test.
 */
export async function startTripCounter(t: Teardown, serverUrl: string): Promise<TripCounter> {
  const server = new URL(serverUrl);
  const connections: SeenConnection[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const seen: SeenConnection = { database: '', trips: 0, statements: [] };
    connections.push(seen);
    const upstream = net.connect(Number(server.port || 5432), server.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const read = frontendReader(seen);
    client.on('data', (chunk: Buffer) => read(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
  return { port: (proxy.address() as net.AddressInfo).port, connections };
}

/** `url` with its host and port replaced by the counter's. */
export function throughCounter(url: string, counter: TripCounter): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(counter.port);
  return parsed.toString();
}
