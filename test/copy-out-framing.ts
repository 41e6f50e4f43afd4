import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as tick } from 'node:timers/promises';
import type { Connection } from 'pg';
import t from 'tap';
import { CopyOutStream } from '../lib/pg/copy-out-stream.js';

function message(code: string, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const rows = ['1\thola\n', '2\tñandú 🇪🇨\n', '3\t\\N\n'];
const afterCopy = Buffer.concat([message('C', 'COPY 3\0'), message('Z', 'I')]);
const wire = Buffer.concat([
  message('H', Buffer.from([0, 0, 2, 0, 0, 0, 0])),
  message('d', rows[0]!),
  message('N', 'aviso'),
  message('d', rows[1]!),
  message('d', rows[2]!),
  message('c'),
  afterCopy,
]);

/** Feeds `pieces` through a fake pg connection; returns what the stream emitted and what pg got back. */
async function run(pieces: Buffer[]): Promise<{ text: string; handedBack: Buffer }> {
  const socket = new PassThrough();
  const handedBack: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => handedBack.push(chunk));
  const stream = new CopyOutStream('COPY x TO STDOUT');
  const connection = { stream: socket, query: () => undefined };
  stream.submit(connection as unknown as Connection);
  const out: Buffer[] = [];
  const done = pipeline(stream, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
  for (const piece of pieces) {
    // A socket hands out a fresh buffer per read, which the stream may rewrite in place.
    socket.write(Buffer.from(piece));
    await tick();
  }
  await tick();
  // pg would now parse CommandComplete and tell the stream.
  stream.handleCommandComplete();
  await done;
  return { text: Buffer.concat(out).toString('utf8'), handedBack: Buffer.concat(handedBack) };
}

t.test('strips the framing wherever the socket cuts the messages', async (t) => {
  for (let at = 1; at < wire.length; at++) {
    const { text, handedBack } = await run([wire.subarray(0, at), wire.subarray(at)]);
    if (text !== rows.join('') || !handedBack.equals(afterCopy)) {
      t.fail(`corte en el byte ${at}: ${JSON.stringify(text)}`);
      return;
    }
  }
  const bytewise = await run([...wire].map((b) => Buffer.from([b])));
  t.equal(bytewise.text, rows.join(''), 'byte a byte');
  t.ok(bytewise.handedBack.equals(afterCopy), 'pg recibe CommandComplete y ReadyForQuery');
  t.pass(`igual en los ${wire.length - 1} cortes`);
});

t.test('an ErrorResponse goes back to pg untouched', async (t) => {
  const error = message('E', 'SERROR\0');
  const socket = new PassThrough();
  const handedBack: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => handedBack.push(chunk));
  const stream = new CopyOutStream('COPY x TO STDOUT');
  stream.submit({ stream: socket, query: () => undefined } as unknown as Connection);
  stream.resume();
  socket.write(Buffer.concat([message('H', Buffer.from([0, 0, 0])), message('d', 'a\n'), error]));
  await tick();
  await tick();
  t.ok(Buffer.concat(handedBack).equals(error));
  const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
  stream.handleError(new Error('fallo del servidor'));
  t.equal((await failed).message, 'fallo del servidor');
  t.ok(stream.destroyed);
});
