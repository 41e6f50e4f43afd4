import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import t from 'tap';
import { ByteSink } from '../lib/engine/byte-sink.js';
import { binaryColumnFor, writeInt16 } from '../lib/pg/copy-binary.js';
import { SlicedCopyIn } from '../lib/pg/sliced-copy-in.js';
import { freshDatabase, withClient } from './helpers/database.js';

/** Rows `1\tfila 1\n` ... in chunks of `perChunk` whole rows, as the TableTransform emits them. */
function rows(count: number, perChunk: number, bad?: number): Readable {
  const chunks: Buffer[] = [];
  for (let first = 1; first <= count; first += perChunk) {
    let text = '';
    for (let i = first; i < Math.min(first + perChunk, count + 1); i++) text += `${i === bad ? 'x' : i}\tfila ${i}\n`;
    chunks.push(Buffer.from(text));
  }
  return Readable.from(chunks);
}

/** The same rows as COPY binary, without the signature and end, as the transform gives them to a sink that frames slices. */
function binaryRows(count: number, perChunk: number): Readable {
  const [number, text] = [binaryColumnFor('integer')!, binaryColumnFor('text')!];
  const chunks: Buffer[] = [];
  for (let first = 1; first <= count; first += perChunk) {
    const sink = new ByteSink((chunk) => chunks.push(Buffer.from(chunk)));
    for (let i = first; i < Math.min(first + perChunk, count + 1); i++) {
      sink.beginRow();
      sink.advance(writeInt16(sink.room(2), sink.position, 2));
      number.value(String(i), sink);
      text.value(`fila ${i}`, sink);
      sink.endRow();
    }
    sink.flush();
  }
  return Readable.from(chunks);
}

t.test('binary rows: each slice gets its own signature and end', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE tramo (n int, texto text)');
    const slices: number[] = [];
    const copyIn = new SlicedCopyIn({ clients: [c], copySql: 'COPY tramo FROM STDIN WITH (FORMAT binary)', binary: true, sliceBytes: 4000, afterSlice: async (_client, rows) => void slices.push(rows) });
    await pipeline(binaryRows(5000, 37), copyIn);
    t.equal(copyIn.rowCount, 5000);
    t.ok(slices.length > 10, `${slices.length} tramos`);
    const seen = (await c.query("SELECT sum(n)::int AS total, count(*) FILTER (WHERE texto = 'fila ' || n)::int AS iguales FROM tramo")).rows[0];
    t.same(seen, { total: (5000 * 5001) / 2, iguales: 5000 });
  });
});

t.test('each slice is its own COPY, and afterSlice sees it complete before the next begins', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE tramo (n int, texto text); CREATE TABLE visto (n bigint, filas int)');
    const slices: number[] = [];
    const copyIn = new SlicedCopyIn({
      clients: [c],
      copySql: 'COPY tramo FROM STDIN',
      sliceBytes: 4000,
      afterSlice: async (_client, rows) => {
        slices.push(rows);
        await c.query('INSERT INTO visto SELECT sum(n), count(*) FROM tramo; TRUNCATE tramo');
      },
    });
    await pipeline(rows(5000, 37), copyIn);
    t.equal(copyIn.rowCount, 5000);
    t.ok(slices.length > 10, `${slices.length} tramos`);
    t.equal(slices.reduce((a, b) => a + b, 0), 5000);
    // Slices end at chunk boundaries: a whole number of 37-row chunks, except the last.
    t.ok(slices.slice(0, -1).every((n) => n % 37 === 0), 'cada tramo termina en un borde de trozo');
    const seen = (await c.query('SELECT sum(n)::int AS total, sum(filas)::int AS filas, count(*)::int AS tramos FROM visto')).rows[0];
    t.same(seen, { total: (5000 * 5001) / 2, filas: 5000, tramos: slices.length }, 'afterSlice vio cada fila una vez, en su tramo');
  });
});

// A row the server refuses in a later slice fails the pipeline, and the session is left
// usable: no COPY left open on it.
t.test('a bad row in a later slice fails the stream with the server error and leaves the session usable', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE tramo (n int, texto text)');
    let after = 0;
    let committed = 0;
    const copyIn = new SlicedCopyIn({
      clients: [c],
      copySql: 'COPY tramo FROM STDIN',
      sliceBytes: 4000,
      afterSlice: async (_client, rows) => {
        after++;
        committed += rows;
      },
    });
    await t.rejects(pipeline(rows(5000, 37, 3000), copyIn), /invalid input syntax for type integer: "x"/);
    t.ok(after > 5, `${after} tramos completos antes del error`);
    t.equal((await c.query('SELECT count(*)::int AS n FROM tramo')).rows[0].n, committed, 'quedan los tramos completos, nada del tramo fallido');
    t.ok(committed < 3000, `${committed} filas antes de la mala`);
    t.equal((await c.query('SELECT 1 AS uno')).rows[0].uno, 1, 'la sesión sigue respondiendo');
  });
});

t.test('a stream destroyed mid-slice sends CopyFail, so the session is free again', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE tramo (n int, texto text)');
    const copyIn = new SlicedCopyIn({ clients: [c], copySql: 'COPY tramo FROM STDIN', sliceBytes: 1 << 30, afterSlice: async () => undefined });
    copyIn.write(Buffer.from('1\tuno\n'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const failed = new Promise((resolve) => copyIn.once('error', resolve));
    copyIn.destroy(new Error('cancelado'));
    t.match(await failed, { message: 'cancelado' });
    t.equal((await c.query('SELECT count(*)::int AS n FROM tramo')).rows[0].n, 0, 'la fila del tramo abierto no quedó');
    t.equal((await c.query('SELECT 1 AS uno')).rows[0].uno, 1, 'la sesión sigue respondiendo');
  });
});

// Two sessions take the slices in turn: one runs its hook while the next slice streams
// into the other, and a session's next slice waits for its own hook.
t.test('with two sessions, a hook runs beside the next slice, and each session waits for its own hook', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (a) => {
    await withClient(url, async (b) => {
      await a.query('CREATE TABLE visto (sesion text, n bigint, filas int)');
      for (const c of [a, b]) await c.query('CREATE TEMP TABLE tramo (n int, texto text)');
      const order: string[] = [];
      let overlapped = 0;
      let running = 0;
      const copyIn = new SlicedCopyIn({
        clients: [a, b],
        copySql: 'COPY tramo FROM STDIN',
        sliceBytes: 4000,
        afterSlice: async (client) => {
          const name = client === a ? 'a' : 'b';
          order.push(name);
          running++;
          // Slow enough that the next slice, on the other session, streams meanwhile.
          await client.query('SELECT pg_sleep(0.02)');
          if (running > 1) overlapped++;
          await client.query(`INSERT INTO visto SELECT '${name}', sum(n), count(*) FROM tramo; TRUNCATE tramo`);
          running--;
        },
      });
      await pipeline(rows(5000, 37), copyIn);
      t.equal(copyIn.rowCount, 5000);
      t.same(order.slice(0, 4), ['a', 'b', 'a', 'b'], 'los tramos van por turnos');
      t.ok(overlapped > 0, `${overlapped} ganchos corrieron junto a otro`);
      const seen = (await a.query('SELECT sum(n)::int AS total, sum(filas)::int AS filas FROM visto')).rows[0];
      t.same(seen, { total: (5000 * 5001) / 2, filas: 5000 }, 'cada fila una vez, en una de las dos sesiones');
    });
  });
});
