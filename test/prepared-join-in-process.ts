import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import t from 'tap';
import type { JoinInProcess } from '../lib/engine/binary-input-engine.js';
import { binaryColumns } from '../lib/engine/binary-row-writer.js';
import { TableTransform } from '../lib/engine/table-transform.js';
import type { SourceType } from '../lib/pg/copy-binary-in.js';
import { binarySourceTypes, joinInProcessTypes } from '../lib/load/binary-source.js';
import { readPreparedJoin } from '../lib/lookups/prepared-join.js';
import { copyOutSql } from '../lib/table-spec/copy-sql.js';
import { preparedJoinFields, sourceFields } from '../lib/table-spec/field-order.js';
import type { AnyTableSpec } from '../lib/table-spec/spec.js';
import { mensajes } from '../transforms/mensajes.js';
import { sesiones } from '../transforms/sesiones.js';
import { legacyDatabase, withClient } from './helpers/database.js';
import { cutAt, runTransform } from './helpers/transform.js';

// The binary copy looks the users' phones up in the process instead of letting the source
// join them: the target must get the bytes, and the reject file the rows, the source's
// join gives, for every kind of user a row can point at.
const USERS: [string, string | null][] = [
  ['00000000-0000-4000-8000-0000000000a1', '0991234567'],
  ['00000000-0000-4000-8000-0000000000a2', 'no es un teléfono'],
  ['00000000-0000-4000-8000-0000000000a3', null],
  ['00000000-0000-4000-8000-0000000000a4', '+593 99 765 4321'],
  ['00000000-0000-4000-8000-0000000000a5', `0'; DROP TABLE messages; -- \\ "x"\ttab`],
  ['00000000-0000-4000-8000-0000000000a6', '   '],
  // Time-ordered ids differ in few bytes: the lookup's hash must still tell them apart.
  ['018f3b2c-7d10-7000-8000-000000000001', '0987654321'],
  ['018f3b2c-7d10-7000-8000-000000000002', '12345'],
];
// A user with a phone, a bad one, none, a blank one, no such user, no user at all.
const USER_IDS = [...USERS.map(([id]) => `'${id}'`), "'00000000-0000-4000-8000-0000000000ff'", 'NULL', "'018f3b2c-7d10-7000-8000-000000000003'"];
const id = (i: number): string => `'00000000-0000-4000-8000-${String(i).padStart(12, '0')}'`;

async function seed(url: string, spec: AnyTableSpec, count: number): Promise<void> {
  await withClient(url, async (c) => {
    for (const [user, phone] of USERS) await c.query('INSERT INTO users (id, phone_number) VALUES ($1, $2)', [user, phone]);
    const userId = (i: number): string => USER_IDS[i % USER_IDS.length]!;
    if (spec === mensajes) {
      const rows = Array.from({ length: count }, (_, i) => `(${id(i)}, ${userId(i)}, 'contenido ${i}', 'text', '{}')`);
      await c.query(`INSERT INTO messages (id, user_id, content, message_type, metadata) VALUES ${rows.join(', ')}`);
    } else {
      const rows = Array.from({ length: count }, (_, i) => `(${id(i)}, ${userId(i)}, 'sesion-${i}', 'active')`);
      await c.query(`INSERT INTO sessions (id, user_id, session_id, status) VALUES ${rows.join(', ')}`);
    }
  });
}

/** The source's rows as the copy reads them: joined by the source, or carrying the join's keys. */
async function copyOut(url: string, spec: AnyTableSpec, inProcess: boolean): Promise<{ bytes: Buffer; join?: JoinInProcess }> {
  return withClient(url, async (client) => {
    const prepared = (await readPreparedJoin(spec, client))!;
    const chunks: Buffer[] = [];
    const sql = copyOutSql(spec, inProcess ? { joinInProcess: true, binary: true } : { preparedJoin: prepared.sql(), binary: true });
    await pipeline(client.query(copyTo(sql)), new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
    return { bytes: Buffer.concat(chunks), ...(inProcess ? { join: { fields: preparedJoinFields(spec), values: prepared.values } } : {}) };
  });
}

/** The rejected rows as the engine hands them over: COPY text of every field of the source SELECT, lookups included. */
async function rawRejects(spec: AnyTableSpec, input: Buffer, types: SourceType[], joinInProcess?: JoinInProcess): Promise<string[]> {
  const rows: string[] = [];
  const transform = new TableTransform({ spec, binary: binaryColumns(spec)!, binaryInput: types, joinInProcess, rejects: { write: (r) => rows.push(r.row.toString()), ready: () => null } });
  await pipeline(Readable.from([input]), transform, new Writable({ write: (_c, _e, cb) => cb() }));
  return rows;
}

for (const spec of [mensajes, sesiones]) {
  t.test(`${spec.target}: the phones looked up in the process give the target bytes and the rejects of the source's join`, async (t) => {
    const url = await legacyDatabase(t);
    await seed(url, spec, 66);
    const columns = binaryColumns(spec)!;
    const joinedTypes = await withClient(url, (c) => binarySourceTypes(c, spec));
    const keyTypes = await withClient(url, (c) => joinInProcessTypes(c, spec));
    if (joinedTypes === null || keyTypes === null) throw new Error(`${spec.target} no se lee en binario`);
    const phone = sourceFields(spec).indexOf(preparedJoinFields(spec)[0]!);
    t.same([joinedTypes[phone], keyTypes[phone]], ['text', 'uuid'], 'the phone field: text from the source join, the uuid key for the process');
    const bySource = await copyOut(url, spec, false);
    const byProcess = await copyOut(url, spec, true);
    const fromSource = await runTransform(spec, [bySource.bytes], {}, undefined, undefined, columns, joinedTypes);
    const fromProcess = await runTransform(spec, [byProcess.bytes], {}, undefined, undefined, columns, keyTypes, byProcess.join);
    t.equal(fromSource.counters.read, 66, 'every row read');
    const reasons = new Set(fromSource.rejects.map((r) => r[0]));
    t.ok(reasons.has('telefono_invalido') && reasons.has('telefono_faltante') && fromSource.counters.written >= 18, `written ${fromSource.counters.written}, rejected for ${[...reasons].join(', ')}`);
    t.same(fromProcess.counters, fromSource.counters, 'the same counts');
    t.ok(fromProcess.bytes.equals(fromSource.bytes), `the same ${fromSource.bytes.length} bytes for the target`);
    t.same(fromProcess.rejects, fromSource.rejects, 'the same reject lines');
    const rawFromSource = await rawRejects(spec, bySource.bytes, joinedTypes);
    const rawFromProcess = await rawRejects(spec, byProcess.bytes, keyTypes, byProcess.join);
    t.ok(rawFromSource.some((row) => row.includes('!no es un teléfono')), 'the raw rows carry the phone as the join gave it');
    t.same(rawFromProcess, rawFromSource, 'the same raw rejected rows, every field of the SELECT');
  });
}

t.test('mensajes: the same output wherever the input carrying the keys is cut', async (t) => {
  const url = await legacyDatabase(t);
  await seed(url, mensajes, 11);
  const columns = binaryColumns(mensajes)!;
  const keyTypes = (await withClient(url, (c) => joinInProcessTypes(c, mensajes)))!;
  const whole = await copyOut(url, mensajes, true);
  const expected = await runTransform(mensajes, [whole.bytes], {}, undefined, undefined, columns, keyTypes, whole.join);
  t.ok(expected.counters.rejected > 0 && expected.counters.written > 0, 'rows written and rejected');
  for (let at = 1; at < whole.bytes.length; at++) {
    const cut = await runTransform(mensajes, cutAt(whole.bytes, at), {}, undefined, undefined, columns, keyTypes, whole.join);
    if (!cut.bytes.equals(expected.bytes) || JSON.stringify(cut.rejects) !== JSON.stringify(expected.rejects)) {
      t.fail(`distinta salida al cortar la entrada en el byte ${at}`);
      return;
    }
  }
  t.pass(`igual en los ${whole.bytes.length - 1} cortes`);
});
