// A TCP proxy that holds every chunk `oneWayMs` before passing it on, both ways: a server
// a network away, as a hosted database is from the follower (`--rtt-ms`). Run as its own
// process (`node delay-proxy.js <listen port> <server port> <one-way ms>`), so that its
// timers do not share the benchmark's event loop with the load and the markers.
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** Bytes held in one direction before its sender is paused, as a socket's buffer would. */
const HELD_BYTES = 4 * 1024 * 1024;

function delayed(from: net.Socket, to: net.Socket, oneWayMs: number): void {
  let held = 0;
  // One wait for 'drain' at a time: a write refused while one is pending is covered by it
  // (a listener per write passed Node's limit of ten and warned of a leak).
  let draining = false;
  from.on('data', (chunk: Buffer) => {
    held += chunk.length;
    if (held > HELD_BYTES) from.pause();
    // Timers of the same delay fire in the order they were set: the bytes keep their order.
    setTimeout(() => {
      held -= chunk.length;
      const flushed = to.write(chunk);
      if (held <= HELD_BYTES && flushed) from.resume();
      else if (!flushed && !draining) {
        draining = true;
        to.once('drain', () => {
          draining = false;
          if (held <= HELD_BYTES) from.resume();
        });
      }
    }, oneWayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), oneWayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), oneWayMs));
}

function serve(listenPort: number, serverPort: number, oneWayMs: number): net.Server {
  return net
    .createServer((client) => {
      const server = net.connect(serverPort, '127.0.0.1');
      for (const socket of [client, server]) socket.setNoDelay(true);
      delayed(client, server, oneWayMs);
      delayed(server, client, oneWayMs);
    })
    .listen(listenPort, '127.0.0.1', () => process.send?.('listening'));
}

export interface DelayProxy {
  port: number;
  stop(): void;
}

/** A proxy process in front of 127.0.0.1:`serverPort` on `listenPort`, `rttMs` there and back. */
export async function startDelayProxy(listenPort: number, serverPort: number, rttMs: number): Promise<DelayProxy> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [String(listenPort), String(serverPort), String(rttMs / 2)], { stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`el proxy de latencia terminó (${code}) antes de escuchar en ${listenPort}`)));
  });
  return { port: listenPort, stop: () => child.kill('SIGKILL') };
}

/** A server's URL at the proxy's door: it listens on 127.0.0.1 and passes on to the server's port there. */
export function throughProxy(url: string, proxy: DelayProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [listenPort, serverPort, oneWayMs] = process.argv.slice(2).map(Number);
  serve(listenPort!, serverPort!, oneWayMs!);
}
