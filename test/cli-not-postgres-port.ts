// A URL with the port of something that is not PostgreSQL (it accepts and says
// nothing): the connection times out, and the sentence says what that means.
import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { runCli } from './helpers/cli.js';

t.test('a port that does not answer as PostgreSQL is named as such', async (t) => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  const r = await runCli(['plan'], { DATABASE_URL: `postgres://app:clave@127.0.0.1:${port}/app` });
  t.equal(r.code, 2);
  t.match(r.stderr, /No se pudo conectar a la base de origen .*: no respondió como PostgreSQL en 15 s; compruebe el puerto/);
  t.equal(r.stderr.trim().split('\n').length, 1);
});
